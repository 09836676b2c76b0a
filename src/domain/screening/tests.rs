//! Tests of the screening detectors, named for what moderators and residents rely on.

use super::*;

fn kinds_and_texts(found: &[Finding]) -> Vec<(FlagKind, &str)> {
    found.iter().map(|f| (f.kind, f.text.as_str())).collect()
}

fn personal(text: &str) -> Vec<(FlagKind, String)> {
    personal_data(text)
        .into_iter()
        .map(|f| (f.kind, f.text))
        .collect()
}

fn abuse(text: &str) -> Vec<String> {
    AbuseList::builtin()
        .find(text)
        .into_iter()
        .map(|f| f.text)
        .collect()
}

#[test]
fn phone_numbers_are_found_however_they_are_written() {
    for (text, number) in [
        ("Gọi 0912345678 nhé", "0912345678"),
        ("Gọi 0912 345 678 nhé", "0912 345 678"),
        ("Gọi 0912.345.678 nhé", "0912.345.678"),
        ("Gọi 0912-345-678 nhé", "0912-345-678"),
        ("Gọi +84 912 345 678 nhé", "+84 912 345 678"),
        ("Gọi 84912345678 nhé", "84912345678"),
        ("Gọi (0292) 3821 234 nhé", "(0292) 3821 234"),
        ("Gọi (+84) 987 654 321 nhé", "(+84) 987 654 321"),
        ("sdt:0912345678", "0912345678"),
    ] {
        assert_eq!(
            personal(text),
            vec![(FlagKind::Phone, number.to_owned())],
            "{text}"
        );
    }
}

#[test]
fn numbers_that_are_not_phones_are_left_alone() {
    for text in [
        "Dự án hoàn thành năm 2030, khởi công năm 1975.",
        "Kinh phí 15.000.000 đồng, tổng vốn 2,5 tỷ đồng, 84.500.000.000 đồng.",
        "Diện tích 120 m², thêm 1.200m2 và 45 ha.",
        "Lô B12, thửa đất số 345, tờ bản đồ số 12.",
        "Căn cứ Quyết định số 1515/QĐ-TTg ngày 30/4/2025, Điều 12, khoản 3.",
        "Đường 30 Tháng 4, đường 3 Tháng 2 và quốc lộ 91 thường xuyên ngập.",
        "Giai đoạn 2021-2025 và 2026 - 2030; tổng đài 1900 1234.",
        "Mã số thuế 1801234567 của doanh nghiệp.",
    ] {
        assert_eq!(personal(text), vec![], "{text}");
    }
}

#[test]
fn citizen_ids_are_found_near_their_words_or_by_their_province_code() {
    let found = personal("CCCD: 092 085 012 345, CMND 361234567, chứng minh thư số 362.123.456");
    assert_eq!(
        found,
        vec![
            (FlagKind::CitizenId, "092 085 012 345".to_owned()),
            (FlagKind::CitizenId, "361234567".to_owned()),
            (FlagKind::CitizenId, "362.123.456".to_owned()),
        ]
    );
    assert_eq!(
        personal("so can cuoc 092085012345"),
        vec![(FlagKind::CitizenId, "092085012345".to_owned())]
    );
    // A bare 12-digit number with a province code is an ID; with another start it is not.
    assert_eq!(
        personal("Tôi 079203001234 góp ý"),
        vec![(FlagKind::CitizenId, "079203001234".to_owned())]
    );
    assert_eq!(personal("Mã 999203001234 góp ý"), vec![]);
    // Nine digits alone are too common to be an ID.
    assert_eq!(personal("Dân số 361234567 người"), vec![]);
}

#[test]
fn emails_and_bank_accounts_are_found() {
    assert_eq!(
        personal("Email: Tran.Thi.B@yahoo.com.vn."),
        vec![(FlagKind::Email, "Tran.Thi.B@yahoo.com.vn".to_owned())]
    );
    assert_eq!(
        personal("STK 0071000123456 Vietcombank"),
        vec![(FlagKind::BankAccount, "0071000123456".to_owned())]
    );
    assert_eq!(
        personal("số tài khoản: 1903 5567 8890 12 Techcombank"),
        vec![(FlagKind::BankAccount, "1903 5567 8890 12".to_owned())]
    );
}

#[test]
fn house_addresses_are_found_with_or_without_diacritics() {
    for (text, address) in [
        (
            "Nhà tôi ở số 12/3 hẻm 45 đường 3 Tháng 2, phường Hưng Lợi.",
            "số 12/3 hẻm 45 đường 3 Tháng 2",
        ),
        ("nhà số 297/4 quốc lộ 1A.", "nhà số 297/4 quốc lộ 1A"),
        (
            "nha toi o so 248/22 duong tran van hoai, phuong an khanh",
            "so 248/22 duong tran van hoai",
        ),
        (
            "Địa chỉ: 45 Lý Tự Trọng, Ninh Kiều",
            "Địa chỉ: 45 Lý Tự Trọng",
        ),
        (
            "Gia đình tôi cư ngụ tại ấp Thới Hòa, xã Thới Tân.",
            "ấp Thới Hòa",
        ),
        (
            "toi song o to 5 khu vuc 3 phuong phuoc thoi",
            "to 5 khu vuc 3",
        ),
    ] {
        assert_eq!(
            personal(text),
            vec![(FlagKind::Address, address.to_owned())],
            "{text}"
        );
    }
}

#[test]
fn a_road_name_without_a_house_number_is_not_an_address() {
    for text in [
        "Đường 30 Tháng 4 và quốc lộ 91 ngập sâu.",
        "Hẻm 51 đường 3 Tháng 2 ngập sâu 40 cm.",
        "Ấp Thới Hòa bị ngập nặng mỗi mùa nước nổi.",
        "Tôi sống trên đường Nguyễn Văn Cừ đã hơn 20 năm.",
        "Đường số 5 khu dân cư Nam Long chưa có đèn.",
        "Cống số 3 đường Trần Hưng Đạo bị nghẹt rác.",
    ] {
        assert_eq!(personal(text), vec![], "{text}");
    }
}

#[test]
fn personal_data_findings_are_sorted_and_do_not_overlap() {
    let text = "Nhà số 12 đường Lê Lợi, sđt 0912345678, email a@b.vn, CCCD 092085012345.";
    let found = personal_data(text);
    assert_eq!(found.len(), 4, "{found:?}");
    for pair in found.windows(2) {
        assert!(pair[0].end <= pair[1].start, "{pair:?}");
    }
    for f in &found {
        assert_eq!(&text[f.start..f.end], f.text);
    }
}

#[test]
fn abusive_words_are_flagged_with_or_without_diacritics_and_in_teen_code() {
    assert_eq!(abuse("Thằng ngu, óc chó!"), vec!["Thằng ngu", "óc chó"]);
    assert_eq!(abuse("thang ngu oc cho"), vec!["thang ngu", "oc cho"]);
    assert_eq!(abuse("Đéo hiểu nổi, vcl"), vec!["Đéo", "vcl"]);
    assert_eq!(abuse("đm bọn này, vl thật"), vec!["đm", "vl"]);
    assert_eq!(abuse("Đ.M cái dự án"), vec!["Đ.M"]);
    assert_eq!(abuse("nguuuuu thế"), vec!["nguuuuu"]);
    assert_eq!(abuse("cai deo j vay"), vec!["cai deo j"]);
    assert_eq!(abuse("Con mẹ mày"), vec!["Con mẹ mày"]);
}

#[test]
fn abuse_words_never_match_inside_other_words_or_everyday_words() {
    for text in [
        "Ông Nguyễn Văn Nguyên hỏi về nguồn vốn.",
        "Người dân cư ngụ tại đây ngủ không được vì ồn.",
        "cu ngu tai phuong an khanh, ngu dan song tren ghe",
        "duong Pham Ngu Lao ngap, doi ngu can bo thieu, dan mat ngu vi on",
        "Các hộ dân cho con chó đi dạo; đường lớn, cây cao.",
        "Ông Đỗ Văn Cúc, cac ho dan, lon xon",
        "Mực nước dâng 5 dm so với năm trước.",
        "deo khau trang khi ra duong",
        "Mã CCCD và số MB của ngân hàng",
    ] {
        // "cc" alone is teen code; inside "CCCD" it is not a word of its own.
        assert_eq!(abuse(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn extra_words_and_exceptions_can_be_added() {
    let list = AbuseList::builtin().with_extra("# local words\nđồ tham ô\n\n!ngu ngốc thay\n");
    assert_eq!(list.find("Đồ tham ô!").len(), 1);
    assert_eq!(list.find("ngu ngốc thay").len(), 0);
    assert!(list.len() > AbuseList::builtin().len());
}

#[test]
fn links_and_hammered_characters_are_spam() {
    let found =
        spam("Xem https://abc.com/x?y=1, www.khuyenmai.net, muanhanh.vn/sale và t.me/kenh!");
    let links: Vec<&str> = found.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        links,
        vec![
            "https://abc.com/x?y=1",
            "www.khuyenmai.net",
            "muanhanh.vn/sale",
            "t.me/kenh"
        ]
    );
    assert_eq!(
        kinds_and_texts(&spam("Quá tệ!!!!!! aaaaaaa")),
        vec![
            (FlagKind::RepeatedCharacters, "!!!!!!"),
            (FlagKind::RepeatedCharacters, "aaaaaaa")
        ]
    );
    assert!(spam("Quá tệ!!!!! 1000000 đồng, TP.HCM, v.v., Q.Ninh Kiều").is_empty());
}

#[test]
fn an_email_domain_is_not_reported_as_a_link() {
    let screening = screen(
        "Liên hệ an.nguyen@gmail.com hoặc zalo.me/0912345678",
        &AbuseList::builtin(),
    );
    let kinds: Vec<FlagKind> = screening.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        vec![FlagKind::Email, FlagKind::Link, FlagKind::Phone]
    );
}

#[test]
fn screening_hides_personal_data_and_reports_everything_in_text_order() {
    let text = "Đm, gọi 0912 345 678!!!!!! hoặc xem abc.vn";
    let screening = screen(text, &AbuseList::builtin());
    assert_eq!(
        kinds_and_texts(&screening.findings),
        vec![
            (FlagKind::Abuse, "Đm"),
            (FlagKind::Phone, "0912 345 678"),
            (FlagKind::RepeatedCharacters, "!!!!!!"),
            (FlagKind::Link, "abc.vn"),
        ]
    );
    assert_eq!(
        screening.redacted(text),
        format!("Đm, gọi {REDACTION_MARK}!!!!!! hoặc xem abc.vn")
    );
}

#[test]
fn flag_kinds_have_stable_names() {
    for kind in FlagKind::ALL {
        assert_eq!(FlagKind::parse(kind.as_str()), Some(kind));
        let json = serde_json::to_string(&kind).expect("serialize");
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    assert!(FlagKind::CitizenId.is_personal_data());
    assert!(!FlagKind::Link.is_personal_data());
}

#[test]
fn odd_input_never_panics() {
    let list = AbuseList::builtin();
    let long = "Nhà số 12/3 đường Lê Lợi 0912345678 đm !!!!!!! ".repeat(250);
    let samples = [
        String::new(),
        " ".to_owned(),
        "🙂🙂🙂🙂🙂🙂🙂 👨‍👩‍👧 ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 İstanbul ΣΑΣ".to_owned(),
        "a\u{301}\u{323}\u{302} o\u{31b}\u{300} \u{301}\u{301}\u{301} 0\u{301}9\u{301}12345678"
            .to_owned(),
        "\u{0}\u{7}\u{feff}\u{200b}số\u{200d}12/\u{a0}3 đường".to_owned(),
        "+".repeat(100) + &"0".repeat(100) + &"/".repeat(50) + "@@@..@",
        "(((((((0912))))))) +84+84+84 84 84 84 84 84 84 84 84".to_owned(),
        long,
        "9".repeat(10_000),
    ];
    for text in &samples {
        let screening = screen(text, &list);
        for f in &screening.findings {
            assert_eq!(text.get(f.start..f.end), Some(f.text.as_str()));
        }
        let _ = screening.redacted(text);
        let _ = fingerprint(text);
        let _ = char_range(text, 3, 10_000);
        let _ = byte_range(text, 2, 5);
    }
}

#[test]
fn screening_a_long_comment_is_fast() {
    let list = AbuseList::builtin();
    let sentence = "Nhà tôi ở số 12/3 hẻm 45 đường 3 Tháng 2, sđt 0912 345 678, đề nghị nâng cấp \
                    hệ thống thoát nước vì mỗi khi triều cường lên đường ngập sâu 30 cm. ";
    let text: String = sentence.chars().cycle().take(5_000).collect();
    let _ = screen(&text, &list);
    let runs: u32 = 20;
    let started = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(screen(std::hint::black_box(&text), &list));
    }
    let each = started.elapsed() / runs;
    println!("screening 5,000 characters: {each:?}");
    // Generous for unoptimized test builds; optimized builds take well under a millisecond.
    assert!(each < std::time::Duration::from_millis(50), "{each:?}");
}
