#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_import.sh — CSV member lists as spreadsheets export them: BOM,
# semicolons, quotes, Vietnamese headers with or without diacritics,
# DD/MM/YYYY dates; a dry run writes nothing; one bad row writes nothing.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

agent init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
agent cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent cell create --code 02 --name "Chi bộ thôn Tây" --kind residential >/dev/null

# Excel-style: BOM, semicolons, CRLF, a quoted field with a semicolon.
printf '\xef\xbb\xbfHọ và tên;Ngày sinh;Giới tính;Số thẻ đảng;Ngày vào Đảng;Ngày chính thức;Chi bộ\r\n' > "$T/list.csv"
printf 'Nguyễn Văn Hợp;02/03/1980;Nam;0101;19/05/2005;19/05/2006;01\r\n' >> "$T/list.csv"
printf '"Trần Thị; Hương";15/08/1990;Nữ;0102;10/01/2020;;02\r\n' >> "$T/list.csv"
printf '\r\n' >> "$T/list.csv"
printf 'Lê Văn Tám;1975-01-01;nam;0103;2000-01-01;2001-01-01;01\r\n' >> "$T/list.csv"
n=$(entry_count)
out=$(agent import-members --dry-run "$T/list.csv")
expect_match "dry run lists the rows" "Trần Thị; Hương" "$out"
expect_match "dry run counts" "dry run: 3 members would be added; nothing was written" "$out"
expect_eq "dry run writes nothing" "$n" "$(entry_count)"
out=$(agent import-members "$T/list.csv")
expect_match "import" "imported 3 members" "$out"
expect_eq "three entries" "$((n + 3))" "$(entry_count)"
expect_eq "Nam → male, DD/MM → ISO" "male|1980-03-02|official" \
	"$(sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT sex, birth_date, status FROM members WHERE card_no = '0101'")"
expect_eq "no official date → probationary" "female|probationary" \
	"$(sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT sex, status FROM members WHERE card_no = '0102'")"

# Headers without diacritics, commas, --cell for all rows; one bad row.
printf 'ho va ten,ngay sinh,gioi tinh,so the dang,ngay vao dang\n' > "$T/b.csv"
printf 'Đỗ Văn Một,01/01/1980,Nam,0201,01/01/2005\n' >> "$T/b.csv"
printf 'Đỗ Văn Hai,31/02/1980,Nam,0202,01/01/2005\n' >> "$T/b.csv"
printf 'Đỗ Văn Ba,01/01/1981,Nam,0101,01/01/2005\n' >> "$T/b.csv"
n=$(entry_count)
err=$(agent import-members --cell 02 "$T/b.csv" 2>&1); rc=$?
expect_eq "bad rows: exit 1" 1 "$rc"
expect_match "bad date named by line" "line 3: .*does not exist" "$err"
expect_match "duplicate card named by line" "line 4: .*0101 already belongs" "$err"
expect_match "nothing written" "2 bad rows .* nothing was written" "$err"
expect_eq "all or nothing" "$n" "$(entry_count)"
printf 'ho va ten,so sao\nX,1\n' > "$T/c.csv"
expect_fail "unknown column" "column 'so sao' is not a member field" \
	agent import-members --cell 02 "$T/c.csv"
printf 'ho va ten,ngay sinh\n"unterminated,1\n' > "$T/d.csv"
expect_fail "unterminated quote" "line 2" agent import-members --cell 02 "$T/d.csv"
expect_ok "verify" agent verify
finish
