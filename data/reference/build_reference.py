#!/usr/bin/env python3
"""Regenerate data/reference/can-tho.json.

The administrative-unit part (``units_current``, ``units_legacy``) is copied
verbatim from the shared data set ``can-tho-units.json`` (itself extracted from
the PyPI package vietnamadminunits 1.0.4, MIT licence). gopy cannot read that
shared file at run time, so this script copies it into the repository.

The agencies and organizations are written by hand below, following the public
organisational structure of Cần Thơ city after the 2025 reform (merger of
departments, abolition of the district level on 1 July 2025). One people's
committee agency is generated for every current ward/commune. Contact e-mail
addresses are placeholders.

Usage:
    python3 data/reference/build_reference.py [path/to/can-tho-units.json]

Default source: /work/shared/data/can-tho-units.json. The output is written
next to this script. Operators adapting gopy to another city should edit the
generated JSON (or this script) before deployment.
"""

import json
import sys
import unicodedata
from pathlib import Path

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/can-tho-units.json")
OUTPUT = Path(__file__).resolve().parent / "can-tho.json"

ABOUT = (
    "Reference data gopy loads into an empty database. Administrative units "
    "(units_current: the 103 wards/communes in force since 2025-07-01; units_legacy: "
    "the 263 pre-reform units of the former Cần Thơ city, Hậu Giang and Sóc Trăng "
    "provinces with the current unit code(s) each was merged into) are copied unchanged "
    "from the shared data set extracted from the PyPI package vietnamadminunits 1.0.4 "
    "(MIT licence); regenerate them with build_reference.py. Agencies and organizations "
    "follow the public organisational structure of Cần Thơ city after the 2025 reform "
    "(merged city departments, one People's Committee per ward/commune, utilities, the "
    "Fatherland Front and mass/professional organizations). All e-mail addresses are "
    "placeholders to be replaced with real contact details. Operators must check and "
    "edit this file for their city (unit list and codes against the official resolution, "
    "agency names, the 'serves' lists, contacts) before deployment."
)

CITY = {"code": "92", "name": "Thành phố Cần Thơ", "lat": 9.74372, "lon": 105.757}

CITY_AGENCIES = [
    ("UBND-TP", "Ủy ban nhân dân thành phố Cần Thơ", "People's Committee of Cần Thơ City", "city_committee", "ubnd@cantho.example.vn"),
    ("SXD", "Sở Xây dựng", "Department of Construction", "department", "sxd@cantho.example.vn"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment", "department", "snnmt@cantho.example.vn"),
    ("STC", "Sở Tài chính", "Department of Finance", "department", "stc@cantho.example.vn"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade", "department", "sct@cantho.example.vn"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology", "department", "skhcn@cantho.example.vn"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training", "department", "sgddt@cantho.example.vn"),
    ("SYT", "Sở Y tế", "Department of Health", "department", "syt@cantho.example.vn"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism", "department", "svhttdl@cantho.example.vn"),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs", "department", "snv@cantho.example.vn"),
    ("STP", "Sở Tư pháp", "Department of Justice", "department", "stp@cantho.example.vn"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "Department of Ethnic Minorities and Religion", "department", "sdttg@cantho.example.vn"),
    ("TTTP", "Thanh tra thành phố Cần Thơ", "Cần Thơ City Inspectorate", "department", "thanhtra@cantho.example.vn"),
]

UTILITIES = [
    ("CTN-CT", "Công ty Cổ phần Cấp thoát nước Cần Thơ", "Cần Thơ Water Supply and Sewerage Joint Stock Company", "utility", "cskh@ctnct.example.vn"),
    ("DL-CT", "Công ty Điện lực Cần Thơ", "Cần Thơ Power Company", "utility", "cskh@pccantho.example.vn"),
    ("BQLDA-TP", "Ban Quản lý dự án đầu tư xây dựng thành phố Cần Thơ", "Cần Thơ City Construction Investment Project Management Board", "utility", "bqlda@cantho.example.vn"),
]

ORGANIZATIONS = [
    ("MTTQ-TP", "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Cần Thơ", "Vietnam Fatherland Front Committee of Cần Thơ City", "fatherland_front", "mttq@cantho.example.vn"),
    ("HND-TP", "Hội Nông dân thành phố Cần Thơ", "Farmers' Union of Cần Thơ City", "mass_organization", "hoinongdan@cantho.example.vn"),
    ("HLHPN-TP", "Hội Liên hiệp Phụ nữ thành phố Cần Thơ", "Women's Union of Cần Thơ City", "mass_organization", "hoiphunu@cantho.example.vn"),
    ("DTN-TP", "Đoàn Thanh niên Cộng sản Hồ Chí Minh thành phố Cần Thơ", "Hồ Chí Minh Communist Youth Union of Cần Thơ City", "mass_organization", "thanhdoan@cantho.example.vn"),
    ("HCCB-TP", "Hội Cựu chiến binh thành phố Cần Thơ", "Veterans' Association of Cần Thơ City", "mass_organization", "hoiccb@cantho.example.vn"),
    ("LDLD-TP", "Liên đoàn Lao động thành phố Cần Thơ", "Cần Thơ City Confederation of Labour", "mass_organization", "ldld@cantho.example.vn"),
    ("HKTS-TP", "Hội Kiến trúc sư thành phố Cần Thơ", "Cần Thơ City Association of Architects", "professional_association", "hoikts@cantho.example.vn"),
    ("LHH-TP", "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ", "Cần Thơ City Union of Science and Technology Associations", "professional_association", "lienhiephoi@cantho.example.vn"),
    ("HLG-TP", "Hội Luật gia thành phố Cần Thơ", "Cần Thơ City Lawyers' Association", "professional_association", "hoiluatgia@cantho.example.vn"),
]

TYPE_EN = {"Phường": "Ward", "Xã": "Commune"}


def ascii_slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return "-".join(text.lower().split())


def ward_committee(unit: dict) -> dict:
    # Unit names start with their type ("Phường An Bình", "Xã Cờ Đỏ"); in running
    # text the type word is written in lower case: "Ủy ban nhân dân phường An Bình".
    # The name prefix is used rather than the "type" field, which is wrong for a
    # couple of units in the source data set.
    prefix, _, rest = unit["name"].partition(" ")
    name_en = f"People's Committee of {rest} {TYPE_EN.get(prefix, prefix)}"
    return {
        "code": f"UBND-{unit['code']}",
        "name": f"Ủy ban nhân dân {prefix.lower()} {rest}",
        "name_en": name_en,
        "kind": "people_committee",
        "email": f"ubnd-{ascii_slug(unit['name'])}@cantho.example.vn",
        "serves": [unit["code"]],
    }


def main() -> None:
    src = json.loads(SOURCE.read_text(encoding="utf-8"))
    current, legacy = src["current"], src["legacy"]

    agencies = [
        {"code": c, "name": n, "name_en": e, "kind": k, "email": m, "serves": ["*"]}
        for c, n, e, k, m in CITY_AGENCIES
    ]
    agencies += [ward_committee(u) for u in current]
    agencies += [
        {"code": c, "name": n, "name_en": e, "kind": k, "email": m, "serves": ["*"]}
        for c, n, e, k, m in UTILITIES
    ]
    organizations = [
        {"code": c, "name": n, "name_en": e, "kind": k, "email": m}
        for c, n, e, k, m in ORGANIZATIONS
    ]

    out = {
        "about": ABOUT,
        "city": CITY,
        "reform_date": src.get("valid_from", "2025-07-01"),
        # Legacy units carry no start date or province codes in the source; gopy records them as
        # in force from 1 January 2004, when Cần Thơ city and Hậu Giang province were created.
        "legacy_valid_from": "2004-01-01",
        "legacy_provinces": [
            {"name": "Thành phố Cần Thơ", "code": "92"},
            {"name": "Tỉnh Hậu Giang", "code": "93"},
            {"name": "Tỉnh Sóc Trăng", "code": "94"},
        ],
        "units_current": current,
        "units_legacy": legacy,
        "agencies": agencies,
        "organizations": organizations,
    }

    codes = [a["code"] for a in agencies] + [o["code"] for o in organizations]
    assert len(codes) == len(set(codes)), "duplicate agency/organization code"
    emails = [a["email"] for a in agencies] + [o["email"] for o in organizations]
    assert len(emails) == len(set(emails)), "duplicate e-mail"

    text = json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    text = unicodedata.normalize("NFC", text)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}: {len(current)} current units, {len(legacy)} legacy units, "
          f"{len(agencies)} agencies, {len(organizations)} organizations")


if __name__ == "__main__":
    main()
