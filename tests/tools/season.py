#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""season.py — the records of a commune's season, generated
deterministically for the demo (demo.sh): the same seed gives the same
people, meetings and ratings on every machine.

  season.py members CODE SEED N        the office spreadsheet: N members as
                                       CSV with Vietnamese headers, about a
                                       fifth in the commune-agency cell CA,
                                       the rest in the village cells 01..04
  season.py moves REPLICA DATE         JSONL: every member of the agency
                                       cell CA to a village cell, in turn
  season.py month REPLICA SEED MONTH   JSONL: each open cell's regular
                                       meeting in MONTH (YYYY-MM), with
                                       attendance, and the year's ratings

moves and month read the replica's own tables (who is in which cell now)
through Python's sqlite3, read-only; what they print goes through
'chibo-agent apply', which checks every rule.
"""
import csv
import json
import random
import sqlite3
import sys

SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7),
            ("Hoàng", 5), ("Vũ", 4), ("Phan", 4), ("Đặng", 3), ("Bùi", 3),
            ("Đỗ", 3), ("Hồ", 2), ("Ngô", 2), ("Dương", 2), ("Lý", 1),
            ("Thân", 2), ("Giáp", 1)]
MIDDLE = {"male": ["Văn", "Văn", "Hữu", "Đức", "Quang", "Minh", "Xuân"],
          "female": ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh"]}
GIVEN = {"male": ["Hùng", "Dũng", "Hải", "Tuấn", "Nam", "Long", "Sơn",
                  "Thắng", "Phong", "Trung", "Khải", "Tám", "Hợp", "Quyền",
                  "Bình", "Cường", "Đạt", "Hiếu", "Lộc", "Thành"],
         "female": ["Lan", "Hương", "Mai", "Hoa", "Thảo", "Hằng", "Nga",
                    "Linh", "Yến", "Hà", "Bích", "Huyền", "Nhung", "Oanh",
                    "Thủy", "Trang", "Vân", "Ánh", "Dung", "Loan"]}
VILLAGES = ["01", "02", "03", "04"]


def name(rng, sex):
    surname = rng.choices([s for s, _ in SURNAMES],
                          [w for _, w in SURNAMES])[0]
    return "%s %s %s" % (surname, rng.choice(MIDDLE[sex]),
                         rng.choice(GIVEN[sex]))


def members(code, seed, n):
    rng = random.Random("%s/%s" % (code, seed))
    out = csv.writer(sys.stdout, lineterminator="\r\n")
    out.writerow(["Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng",
                  "Số CCCD", "Ngày vào Đảng", "Ngày chính thức", "Chi bộ",
                  "Đối tượng"])
    for i in range(1, n + 1):
        sex = "female" if rng.random() < 0.4 else "male"
        agency = i <= max(3, n // 5)
        born = rng.randint(1950 if not agency else 1968, 2000)
        admitted = rng.randint(max(born + 19, 1975), 2024)
        probation = admitted == 2025 or rng.random() < 0.04
        work = (rng.choice(["Cán bộ xã", "Công chức xã"]) if agency else
                "Nghỉ hưu" if born < 1962 else
                rng.choice(["Không chuyên trách", "Khác", "Khác"]))
        dob = "%02d/%02d/%d" % (rng.randint(1, 28), rng.randint(1, 12), born)
        adm = "%02d/%02d/%d" % (rng.randint(1, 28),
                                rng.randint(1, 12 if not probation else 9),
                                admitted if not probation else 2026)
        off = "" if probation else "%s/%d" % (adm[:5], int(adm[6:]) + 1)
        nid = "024%d%02d%06d" % (0 if sex == "male" else 1, born % 100,
                                 int(code) * 10 + i)
        out.writerow([name(rng, sex), dob, "Nam" if sex == "male" else "Nữ",
                      "%s%03d" % (code, i), nid, adm, off,
                      "CA" if agency else rng.choice(VILLAGES), work])


def open_db(path):
    return sqlite3.connect("file:%s/replica.db?mode=ro" % path, uri=True)


def live(db, org):
    return db.execute(
        "SELECT card_no, cell FROM members WHERE org = ? AND transit IS "
        "NULL AND status IN ('probationary', 'official', 'exempt') AND "
        "card_no IS NOT NULL ORDER BY card_no", (org,)).fetchall()


def own_org(db):
    return db.execute("SELECT value FROM meta WHERE key = 'org'"
                      ).fetchone()[0]


def moves(replica, date):
    db = open_db(replica)
    org = own_org(db)
    villages = [c for (c,) in db.execute(
        "SELECT code FROM orgs WHERE parent = ? AND level = 'cell' AND "
        "kind = 'residential' AND state = 'active' ORDER BY code", (org,))]
    k = 0
    for card, cell in live(db, org):
        if cell != org + ".CA":
            continue
        print(json.dumps({"op": "member.move", "member": "card:" + card,
                          "cell": villages[k % len(villages)], "on": date,
                          "reason": "Giải thể chi bộ cơ quan xã"},
                         ensure_ascii=False))
        k += 1


def month(replica, seed, ym):
    db = open_db(replica)
    org = own_org(db)
    rng = random.Random("%s/%s/%s" % (org, seed, ym))
    people = live(db, org)
    cells = [c for (c,) in db.execute(
        "SELECT code FROM orgs WHERE parent = ? AND level = 'cell' AND "
        "state = 'active' ORDER BY code", (org,))]
    for cell in cells:
        here = [card for card, c in people if c == cell]
        if not here:
            continue
        marks = {}
        for card in here:
            r = rng.random()
            marks["card:" + card] = ("present" if r < 0.9 else
                                     "excused" if r < 0.97 else "unexcused")
        present = [m for m, v in marks.items() if v == "present"]
        if not present:
            marks[next(iter(marks))] = "present"
            present = [next(iter(marks))]
        print(json.dumps({
            "op": "meeting.record", "cell": cell,
            "date": "%s-%02d" % (ym, 3 + rng.randint(0, 6)),
            "kind": "regular", "duration_min": 60 + 15 * rng.randint(0, 4),
            "chair": present[0], "attendance": marks,
            "content": "Sinh hoạt chi bộ định kỳ tháng %s" % ym[5:] + "/" +
                       ym[:4],
            "rating": rng.choice(["good", "good", "fair"])},
            ensure_ascii=False))
    year = str(int(ym[:4]) - 1)
    # about 12 % outstanding, within the limit of a fifth of those rated
    # good or better (seed 002)
    bands = [("outstanding", 90, 98, 12), ("good", 70, 89, 60),
             ("completed", 50, 69, 26), ("not-completed", 30, 49, 2)]
    for card, cell in people:
        level, lo, hi, _ = rng.choices(bands, [b[3] for b in bands])[0]
        score = rng.randint(lo, hi)
        print(json.dumps({"op": "rating.record", "subject_kind": "member",
                          "subject": "card:" + card, "period": year,
                          "level": level, "score": score,
                          "stage": "decided"}, ensure_ascii=False))
    for cell in cells:
        if rng.random() < 0.85:
            print(json.dumps({"op": "org.congress", "org": cell,
                              "term": "2020-2025",
                              "held_on": "2020-0%d-%02d" %
                                         (5 + rng.randint(0, 2),
                                          rng.randint(1, 28))}))


def main(argv):
    if len(argv) == 5 and argv[1] == "members":
        members(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 4 and argv[1] == "moves":
        moves(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "month":
        month(argv[2], argv[3], argv[4])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
