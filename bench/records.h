/* SPDX-License-Identifier: MIT */
/* records.h — the benchmarks' member records: generated Vietnamese names
 * (i * 2654435761 picks surname, middle and given name), birth dates,
 * unique card and ID numbers; the same as bench_sync.sh's awk. Included by
 * one program each (static). */
#ifndef CHIBO_BENCH_RECORDS_H
#define CHIBO_BENCH_RECORDS_H

#include <stdio.h>

#include <jansson.h>

static const char *const surnames[] = { "Nguyễn", "Trần",  "Lê",    "Phạm",
	                                "Hoàng",  "Huỳnh", "Phan",  "Vũ",
	                                "Võ",     "Đặng",  "Bùi",   "Đỗ",
	                                "Hồ",     "Ngô",   "Dương", "Lý" };
static const char *const middles[] = {
	"Văn",   "Thị",  "Hữu",   "Đức",  "Minh",
	"Thanh", "Ngọc", "Quang", "Xuân", "Thu"
};
static const char *const givens[] = { "Hợp",   "Hùng",   "Dũng", "Lan",
	                              "Hương", "Mai",    "Tuấn", "Hải",
	                              "Quyền", "Nam",    "Bình", "Thảo",
	                              "Hà",    "Phương", "Long", "Sơn",
	                              "Trang", "Linh",   "Hoa",  "Cường" };
#define COUNT(a) (sizeof(a) / sizeof(a[0]))

/* member.add input number i, in cell 01. */
static json_t *
member(unsigned i)
{
	char name[128], birth[11], card[24], nid[24];
	unsigned r = i * 2654435761u;

	snprintf(name, sizeof(name), "%s %s %s", surnames[r % COUNT(surnames)],
	         middles[(r >> 8) % COUNT(middles)],
	         givens[(r >> 16) % COUNT(givens)]);
	snprintf(birth, sizeof(birth), "%04u-%02u-%02u", 1950 + i % 40,
	         1 + i % 12, 1 + i % 28);
	snprintf(card, sizeof(card), "%08u", 10000000 + i);
	snprintf(nid, sizeof(nid), "0791%08u", i);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	                 "full_name", name, "birth_date", birth, "sex",
	                 i % 2 ? "male" : "female", "card_no", card,
	                 "national_id", nid, "admitted_on", "2015-05-19",
	                 "official_on", "2016-05-19", "work_category",
	                 "commune-cadre", "cell", "01");
}

#endif
