#!/usr/bin/env python3
"""Writes the labelled positives of the identifier corpus.

Every value is made up: numbers are drawn from a fixed seed and given the
check digit their scheme defines (computed here, independently of the Rust
validators), then written in the forms people and systems write them in,
alone, inside a sentence, or under a member name that says what they are.
Output: `fixtures/identifiers/positives.tsv` (kind, member or `-`, value).

The output is committed; the tests read it and never run this script.

Usage, from the project root:  python3 scripts/generate-identifier-positives.py
"""

import pathlib
import random

OUTPUT = pathlib.Path("fixtures/identifiers/positives.tsv")
rng = random.Random(20261129)


def digits(n, first="0123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def birth_date(four_digit_year=False):
    year = rng.randint(1940, 2019)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    text = f"{year:04d}" if four_digit_year else f"{year % 100:02d}"
    return year, text + f"{month:02d}{day:02d}"


def forms(values, shapes):
    """Each value written in the next shape, round robin."""
    return [shapes[i % len(shapes)](v) for i, v in enumerate(values)]


# --- checksums ---------------------------------------------------------------


def rrn_check(first12):
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    total = sum(int(d) * w for d, w in zip(first12, weights))
    return str((11 - total % 11) % 10)


def nric_check(prefix, seven):
    weights = [2, 7, 6, 5, 4, 3, 2]
    total = sum(int(d) * w for d, w in zip(seven, weights))
    if prefix in "TG":
        total += 4
    if prefix == "M":
        total += 3
    letters = {
        "S": "JZIHGFEDCBA",
        "T": "JZIHGFEDCBA",
        "F": "XWUTRQPNMLK",
        "G": "XWUTRQPNMLK",
        "M": "KLJNPQRTUWX",
    }[prefix]
    return letters[total % 11]


VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_check(number):
    c = 0
    for i, d in enumerate(reversed(number)):
        c = VERHOEFF_D[c][VERHOEFF_P[(i + 1) % 8][int(d)]]
    return str(VERHOEFF_INV[c])


def iso7064_mod11_2(first17):
    total = 0
    for d in first17:
        total = ((total + int(d)) * 2) % 11
    return "0123456789X"[(12 - total) % 11]


def my_number_check(first11):
    total = 0
    for n in range(1, 12):
        p = int(first11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


# --- kinds -------------------------------------------------------------------


def emails():
    locals_ = ["station.keeper", "ops_team", "first.last+city", "j.kim", "a", "priya.n",
               "관리자", "müller.anna", "tanaka.taro", "張偉", "o'neil", "user-01"]
    domains = ["example.org", "mail.example.co.kr", "example.in", "example.com.sg",
               "example.go.id", "例え.jp", "example.de"]
    shapes = [lambda v: ("-", v), lambda v: ("-", f"Contact {v} for access"),
              lambda v: ("email", v), lambda v: ("-", f"<{v}>."),
              lambda v: ("-", f"mailto:{v}")]
    values = [f"{locals_[i % len(locals_)]}@{domains[i % len(domains)]}" for i in range(30)]
    return forms(values, shapes)


def phone_kr():
    shapes = [
        lambda: f"010-{digits(4)}-{digits(4)}",
        lambda: f"010{digits(8)}",
        lambda: f"011.{digits(3)}.{digits(4)}",
        lambda: f"010 {digits(4)} {digits(4)}",
        lambda: f"+82 10-{digits(4)}-{digits(4)}",
        lambda: f"+821{rng.choice('016789')}{digits(8)}",
        lambda: f"82-10-{digits(4)}-{digits(4)}",
        lambda: f"+82 (0)10-{digits(4)}-{digits(4)}",
        lambda: f"070-{digits(4)}-{digits(4)}",
        lambda: f"(02) {digits(3)}-{digits(4)}",
        lambda: f"02-{digits(3, '23456789')}-{digits(4)}",
        lambda: f"031-{digits(3, '23456789')}-{digits(4)}",
        lambda: f"Station caretaker on call: 010-{digits(4)}-{digits(4)}",
        lambda: f"tel. 051-{digits(4, '23456789')}-{digits(4)}",
    ]
    return [("-", shapes[i % len(shapes)]()) for i in range(32)]


def phone_in():
    shapes = [
        lambda: f"+91 {digits(5, '6789')} {digits(5)}",
        lambda: f"+91{digits(10, '6789')}",
        lambda: f"91-{digits(10, '6789')}",
        # With the trunk 0 only 09… is Indian alone: 06x and 070 are Korean
        # landline and internet numbers, 08x Indonesian mobiles, written
        # that way first in those countries (the detectors read them so).
        lambda: f"0{digits(10, '9')}",
        lambda: digits(10, "6789"),
        lambda: f"ph: {digits(3, '6789')} {digits(3)} {digits(4)}.",
        lambda: f"For site access call +91 {digits(5, '6789')} {digits(5)}",
    ]
    return [("-", shapes[i % len(shapes)]()) for i in range(28)]


def phone_sg():
    shapes = [
        lambda: f"+65 {digits(4, '689')} {digits(4)}",
        lambda: f"+65{digits(8, '689')}",
        lambda: f"+65-{digits(4, '89')}-{digits(4)}",
        # Bare eight digits are as often an amount: a phone sits under a
        # member that says so.
        lambda: ("telephone", digits(8, "89")),
        lambda: f"{digits(4, '689')} {digits(4)}",
        lambda: f"Detector hotline +65 {digits(4, '689')} {digits(4)}",
    ]
    rows = [shapes[i % len(shapes)]() for i in range(28)]
    return [row if isinstance(row, tuple) else ("-", row) for row in rows]


def phone_id():
    shapes = [
        lambda: f"+62 81{digits(1, '123456789')}-{digits(4)}-{digits(4)}",
        lambda: f"+628{digits(1, '123456789')}{digits(9)}",
        lambda: f"628{digits(1, '123456789')}{digits(8)}",
        lambda: f"08{digits(1, '123456789')}{digits(1)} {digits(4)} {digits(3)}",
        lambda: f"08{digits(1, '123456789')}{digits(8)}",
        lambda: f"Duty controller at +62 812-{digits(4)}-{digits(4)}",
    ]
    return [("-", shapes[i % len(shapes)]()) for i in range(28)]


def resident_numbers(genders):
    """`genders` holds the digits for a 1900s birth, then for a 2000s one."""
    out = []
    for _ in range(30):
        year, date = birth_date()
        gender = rng.choice(genders[:2] if year < 2000 else genders[2:])
        first12 = date + gender + digits(5)
        out.append(first12 + rrn_check(first12))
    return out


def rrn_shapes(member):
    return [
        lambda v: ("-", f"{v[:6]}-{v[6:]}"),
        lambda v: ("-", v),
        lambda v: ("-", f"{v[:6]} {v[6:]}"),
        lambda v: ("-", f"holder {v[:6]}-{v[6:]} on file"),
        lambda v: (member, v),
    ]


def kr_rrn():
    return forms(resident_numbers("1234"), rrn_shapes("residentNumber"))


def kr_arn():
    return forms(resident_numbers("5678"), rrn_shapes("alienRegistrationNumber"))


def kr_plate():
    syllables = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호배"
    regions = ["서울", "부산", "경기", "인천", "대구"]

    def s():
        return rng.choice(syllables)

    shapes = [
        lambda: f"{digits(2)}{s()}{digits(4)}",
        lambda: f"{digits(3)}{s()}{digits(4)}",
        lambda: f"{digits(2)} {s()} {digits(4)}",
        lambda: f"{digits(3)}{s()} {digits(4)}",
        lambda: f"{rng.choice(regions)}{digits(2)}{s()}{digits(4)}",
        lambda: f"차량 {digits(2)}{s()}{digits(4)}이 주차",
        lambda: f"plate: {digits(3)} {s()} {digits(4)}.",
    ]
    return [("-", shapes[i % len(shapes)]()) for i in range(28)]


def kr_driver_licence():
    regions = ["서울", "부산", "경기", "강원", "충북"]
    shapes = [
        lambda: f"{rng.randint(11, 28)}-{digits(2)}-{digits(6)}-{digits(2)}",
        lambda: f"{rng.choice(regions)} {digits(2)}-{digits(6)}-{digits(2)}",
        lambda: f"{rng.choice(regions)}{digits(2)}-{digits(6)}-{digits(2)}",
        lambda: f"licence {rng.randint(11, 28)}-{digits(2)}-{digits(6)}-{digits(2)}",
        lambda: f"{rng.randint(11, 28)} {digits(2)} {digits(6)} {digits(2)}",
    ]
    return [("-", shapes[i % len(shapes)]()) for i in range(28)]


def passport():
    shapes = [
        lambda: ("-", f"{rng.choice('MSRGD')}{digits(8)}"),
        lambda: ("-", f"M{digits(3)}{rng.choice('ABCDEFGHJK')}{digits(4)}"),
        lambda: ("-", f"passport {rng.choice('ABJKLMNPRSTUVWZ')}{digits(7, '123456789')}"),
        lambda: ("passportNumber", f"{rng.choice('ABJKLMNPRSTUVWZ')}{digits(7, '123456789')}"),
        lambda: ("-", f"E{digits(7)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"),
        lambda: ("-", f"Airport transfer booked against passport M{digits(3)}B{digits(4)}"),
        lambda: ("passport_no", f"K{digits(7)}{rng.choice('ABCDEFGHJKLMN')}"),
    ]
    return [shapes[i % len(shapes)]() for i in range(28)]


def ipv4():
    def address():
        first = rng.choice([10, 172, 192, 203, 58, 101, 121, 211])
        return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"

    shapes = [
        lambda: address(),
        lambda: f"from {address()}:8080",
        lambda: f"urn:ngsi-ld:Device:{address()}",
        lambda: f"client={address()};",
        lambda: f"[{address()}]",
    ]
    return [("-", shapes[i % len(shapes)]()) for i in range(28)]


def ipv6():
    def group():
        return f"{rng.randint(1, 0xFFFF):x}"

    shapes = [
        lambda: f"2001:db8::{group()}",
        lambda: f"urn:ngsi-ld:Device:2001:db8:{group()}::{group()}",
        lambda: f"[2001:db8:0:0:{group()}:0:0:1]:443",
        lambda: f"fe80::{group()}%eth0",
        lambda: ":".join(f"{rng.randint(0, 0xFFFF):04x}" for _ in range(8)),
        lambda: f"::ffff:192.0.2.{rng.randint(1, 254)}",
        lambda: f"client 2400:{group()}:{group()}::{group()} connected",
    ]
    return [("-", shapes[i % len(shapes)]()) for i in range(28)]


def mac():
    def octets():
        return [f"{rng.randint(0, 255):02x}" for _ in range(6)]

    shapes = [
        lambda o: ("-", ":".join(o).upper()),
        lambda o: ("-", "-".join(o)),
        lambda o: ("-", "".join(o[0:2]) + "." + "".join(o[2:4]) + "." + "".join(o[4:6])),
        lambda o: ("-", ("".join(o[0:2]) + "." + "".join(o[2:4]) + "." + "".join(o[4:6])).upper()),
        lambda o: ("mac", "".join(o).upper()),
        lambda o: ("-", f"MAC {''.join(o)}"),
        lambda o: ("-", f"obu-{':'.join(o)}"),
        lambda o: ("macAddress", "".join(o)),
    ]
    return [shapes[i % len(shapes)](octets()) for i in range(32)]


def sg_nric():
    shapes = [
        lambda v: ("-", v),
        lambda v: ("-", v.lower()),
        lambda v: ("-", f"NRIC {v} verified"),
        lambda v: ("nric", v),
    ]
    values = []
    for i in range(28):
        prefix = "STFGM"[i % 5]
        seven = digits(7)
        values.append(prefix + seven + nric_check(prefix, seven))
    return forms(values, shapes)


def in_aadhaar():
    shapes = [
        lambda v: ("-", f"{v[:4]} {v[4:8]} {v[8:]}"),
        lambda v: ("aadhaar", v),
        lambda v: ("-", f"Aadhaar {v[:4]}-{v[4:8]}-{v[8:]}"),
        lambda v: ("aadhaar_number", f"{v[:4]} {v[4:8]} {v[8:]}"),
        lambda v: ("-", f"UID: {v}"),
    ]
    values = []
    for _ in range(30):
        first11 = digits(11, "23456789")
        values.append(first11 + verhoeff_check(first11))
    return forms(values, shapes)


def cn_rid():
    regions = ["110101", "310104", "440305", "510107", "330106", "420111"]
    shapes = [
        lambda v: ("-", v),
        lambda v: ("-", f"身份证号 {v}"),
        lambda v: ("idCard", v.lower()),
        lambda v: ("-", f"resident id {v}."),
    ]
    values = []
    for _ in range(28):
        _, date = birth_date(four_digit_year=True)
        first17 = rng.choice(regions) + date + digits(3)
        values.append(first17 + iso7064_mod11_2(first17))
    # The check character X in some of them, as one in eleven has it.
    while sum(v.endswith("X") for v in values) < 4:
        _, date = birth_date(four_digit_year=True)
        first17 = rng.choice(regions) + date + digits(3)
        if iso7064_mod11_2(first17) == "X":
            values.append(first17 + "X")
    return forms(values, shapes)


def jp_my_number():
    shapes = [
        lambda v: ("myNumber", f"{v[:4]} {v[4:8]} {v[8:]}"),
        lambda v: ("-", f"マイナンバー {v}"),
        lambda v: ("kojin_bango", v),
        lambda v: ("-", f"My Number: {v[:4]}-{v[4:8]}-{v[8:]}"),
        lambda v: ("-", f"個人番号{v}"),
    ]
    values = []
    for _ in range(28):
        first11 = digits(11)
        values.append(first11 + my_number_check(first11))
    return forms(values, shapes)


KINDS = [
    ("email", emails),
    ("phone-kr", phone_kr),
    ("phone-in", phone_in),
    ("phone-sg", phone_sg),
    ("phone-id", phone_id),
    ("kr-rrn", kr_rrn),
    ("kr-arn", kr_arn),
    ("kr-plate", kr_plate),
    ("kr-driver-licence", kr_driver_licence),
    ("passport", passport),
    ("ipv4", ipv4),
    ("ipv6", ipv6),
    ("mac", mac),
    ("sg-nric", sg_nric),
    ("in-aadhaar", in_aadhaar),
    ("cn-rid", cn_rid),
    ("jp-my-number", jp_my_number),
]


def main():
    rows = ["# kind\tmember\tvalue (written by scripts/generate-identifier-positives.py)"]
    for kind, make in KINDS:
        for member, value in make():
            rows.append(f"{kind}\t{member}\t{value}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows) - 1} positives written to {OUTPUT}")


if __name__ == "__main__":
    main()
