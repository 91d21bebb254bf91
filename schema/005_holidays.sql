-- SPDX-License-Identifier: MIT
-- 005_holidays.sql — public holidays, for counting working days (a release
-- is overdue 30 working days after its letter). Seeded with the holidays
-- of the Labour Code 2019, art. 112, for 2025-2027: New Year, five days of
-- Tết (the last day of the lunar year and the first four), the Hùng Kings'
-- day (10th of the 3rd lunar month), 30 April, 1 May, and 2 September with
-- the day next to it. The government's yearly decisions (days swapped for
-- long weekends) and later years are added by the authority's
-- calendar.holiday entries (entry NOT NULL: part of the projection).
CREATE TABLE holidays (
	date  TEXT PRIMARY KEY,
	name  TEXT NOT NULL,
	entry BLOB
) WITHOUT ROWID;

INSERT INTO holidays (date, name) VALUES
	('2025-01-01', 'Tết Dương lịch'),
	('2025-01-28', 'Tết Nguyên đán'), ('2025-01-29', 'Tết Nguyên đán'),
	('2025-01-30', 'Tết Nguyên đán'), ('2025-01-31', 'Tết Nguyên đán'),
	('2025-02-01', 'Tết Nguyên đán'),
	('2025-04-07', 'Giỗ Tổ Hùng Vương'),
	('2025-04-30', 'Ngày Giải phóng miền Nam'),
	('2025-05-01', 'Ngày Quốc tế Lao động'),
	('2025-09-01', 'Quốc khánh'), ('2025-09-02', 'Quốc khánh'),
	('2026-01-01', 'Tết Dương lịch'),
	('2026-02-16', 'Tết Nguyên đán'), ('2026-02-17', 'Tết Nguyên đán'),
	('2026-02-18', 'Tết Nguyên đán'), ('2026-02-19', 'Tết Nguyên đán'),
	('2026-02-20', 'Tết Nguyên đán'),
	('2026-04-26', 'Giỗ Tổ Hùng Vương'),
	('2026-04-30', 'Ngày Giải phóng miền Nam'),
	('2026-05-01', 'Ngày Quốc tế Lao động'),
	('2026-09-01', 'Quốc khánh'), ('2026-09-02', 'Quốc khánh'),
	('2027-01-01', 'Tết Dương lịch'),
	('2027-02-05', 'Tết Nguyên đán'), ('2027-02-06', 'Tết Nguyên đán'),
	('2027-02-07', 'Tết Nguyên đán'), ('2027-02-08', 'Tết Nguyên đán'),
	('2027-02-09', 'Tết Nguyên đán'),
	('2027-04-16', 'Giỗ Tổ Hùng Vương'),
	('2027-04-30', 'Ngày Giải phóng miền Nam'),
	('2027-05-01', 'Ngày Quốc tế Lao động'),
	('2027-09-02', 'Quốc khánh'), ('2027-09-03', 'Quốc khánh');
