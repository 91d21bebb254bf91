# SPDX-License-Identifier: MIT
# records.sh — for the benchmarks: 'member_records N FILE' writes N
# member.add operations, one JSON line each, for 'chibo-agent apply', into
# a cell with code 01.
member_records() {
	# The records of bench/bench_apply.c: names from i * 2654435761 mod 2^32
	# (exact in awk's doubles for i < 3.4e6), unique card and ID numbers.
	awk -v n="$1" 'BEGIN {
		ns = split("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý", S, " ")
		nm = split("Văn Thị Hữu Đức Minh Thanh Ngọc Quang Xuân Thu", M, " ")
		ng = split("Hợp Hùng Dũng Lan Hương Mai Tuấn Hải Quyền Nam Bình Thảo Hà Phương Long Sơn Trang Linh Hoa Cường", G, " ")
		for (i = 0; i < n; i++) {
			r = (i * 2654435761) % 4294967296
			printf "{\"op\":\"member.add\",\"full_name\":\"%s %s %s\",", \
				S[r % ns + 1], M[int(r / 256) % nm + 1], G[int(r / 65536) % ng + 1]
			printf "\"birth_date\":\"%04d-%02d-%02d\",\"sex\":\"%s\",", \
				1950 + i % 40, 1 + i % 12, 1 + i % 28, i % 2 ? "male" : "female"
			printf "\"card_no\":\"%08d\",\"national_id\":\"0791%08d\",", 10000000 + i, i
			printf "\"admitted_on\":\"2015-05-19\",\"official_on\":\"2016-05-19\","
			printf "\"work_category\":\"commune-cadre\",\"cell\":\"01\"}\n"
		}
	}' >"$2"
}
