use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, TokenStream, TokenizerManager};
use tantivy::{Index, IndexWriter, Searcher, TantivyDocument, Term, doc};
use unicode_normalization::UnicodeNormalization;

use super::*;

fn nfd(text: &str) -> String {
    text.nfd().collect()
}

fn analyzer(name: &str) -> TextAnalyzer {
    let manager = TokenizerManager::new();
    register(&manager);
    manager.get(name).expect("registered")
}

/// (text, offset_from, offset_to) of every token `name` produces.
fn tokens(name: &str, text: &str) -> Vec<(String, usize, usize)> {
    let mut analyzer = analyzer(name);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push((token.text.clone(), token.offset_from, token.offset_to));
    }
    out
}

fn texts(name: &str, text: &str) -> Vec<String> {
    tokens(name, text)
        .into_iter()
        .map(|(text, _, _)| text)
        .collect()
}

#[test]
fn tone_placement_pairs_become_equal() {
    // (reformed or misplaced spelling, normalized spelling)
    let pairs = [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("qúy", "quý"),
        ("hoá", "hóa"),
        ("loã", "lõa"),
        ("hoạ", "họa"),
        ("xoè", "xòe"),
        ("luỹ", "lũy"),
        ("tuỵ", "tụy"),
        ("Hoà Bình", "Hòa Bình"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("Thuỷ", "Thủy"),
        ("THUỶ", "THỦY"),
        ("KHOẺ", "KHỎE"),
        ("Uỷ ban", "Ủy ban"),
        ("hòang", "hoàng"),
        ("tòan", "toàn"),
        ("thủơ", "thuở"),
        ("thúê", "thuế"),
        ("Nguỹên", "Nguyễn"),
        ("gìa", "già"),
        ("gịa", "giạ"),
        ("ngòai", "ngoài"),
        ("khủyu", "khuỷu"),
        ("múôn", "muốn"),
        ("ngừơi", "người"),
        ("húynh", "huýnh"),
    ];
    for (variant, normalized) in pairs {
        assert_eq!(normalize_tones(variant), normalized, "{variant}");
        assert_eq!(normalize_tones(normalized), normalized, "{normalized}");
        assert_eq!(
            normalize_tones(&nfd(variant)),
            normalized,
            "decomposed {variant}"
        );
    }
}

#[test]
fn tone_placement_keeps_words_with_one_reasonable_placement() {
    let words = "người nước khuyến quốc giữa gìn giếng ngoài khuỷu hoàng tuần thuở huệ thuế \
                 mái cháo cháu máy kéo mía dịu túi múa cửa cứu rượu muối yếu nghĩa xoáy \
                 quà quái quyển quý toán huỳnh Nguyễn Đường Mậu Thân ĐẠI LỘ";
    assert_eq!(normalize_tones(words), words);
}

#[test]
fn tone_placement_composes_and_leaves_other_text_alone() {
    assert_eq!(normalize_tones("thô\u{301}ng tin"), "thống tin");
    let text = "café, Wi-Fi 5G; đường số 3 (quận 1)! ăn ờ ừ";
    assert_eq!(normalize_tones(text), text);
    assert_eq!(normalize_tones(""), "");
}

#[test]
fn exact_tokens_are_normalized_lowercase_with_diacritics() {
    assert_eq!(
        texts(VI_EXACT, "Đại lộ Hoà Bình"),
        ["đại", "lộ", "hòa", "bình"]
    );
    assert_eq!(
        texts(VI_EXACT, "Đại lộ Hoà Bình"),
        texts(VI_EXACT, "đại lộ hòa bình")
    );
    assert_eq!(texts(VI_EXACT, "THUỶ LỢI"), texts(VI_EXACT, "thủy lợi"));
}

#[test]
fn folded_tokens_drop_every_diacritic() {
    assert_eq!(
        texts(VI_FOLDED, "Đường Mậu Thân ngập nước; Ệ Ở Ữ đ Đ ằ ẩ ỡ ự ỹ"),
        [
            "duong", "mau", "than", "ngap", "nuoc", "e", "o", "u", "d", "d", "a", "a", "o", "u",
            "y"
        ]
    );
    assert_eq!(texts(VI_FOLDED, "hoà"), texts(VI_FOLDED, "hòa"));
}

#[test]
fn decomposed_text_gives_the_same_tokens_as_composed_text() {
    let text = "Thống nhất: nhà ở xã hội, Hoà Bình, Quý khách, ĐƯỜNG Nguyễn Huệ";
    let decomposed = nfd(text);
    assert_ne!(text, decomposed);
    for name in [VI_EXACT, VI_FOLDED, VI_BIGRAMS] {
        assert_eq!(texts(name, text), texts(name, &decomposed), "{name}");
    }
    // Unnormalized text gives the same tokens as the stored normalized form.
    assert_eq!(
        texts(VI_EXACT, &decomposed),
        texts(VI_EXACT, &normalize_tones(text))
    );
}

#[test]
fn offsets_slice_the_original_text() {
    let text = nfd("Đường Mậu Thân ngập nước — cây xanh, Hoà Bình");
    for name in [VI_EXACT, VI_FOLDED] {
        for (token, from, to) in tokens(name, &text) {
            let original = &text[from..to];
            assert_eq!(fold(original), fold(&token), "{name}: {original:?}");
        }
    }
    let slices: Vec<String> = tokens(VI_EXACT, &text)
        .into_iter()
        .map(|(_, from, to)| text[from..to].nfc().collect())
        .collect();
    assert_eq!(
        slices,
        [
            "Đường",
            "Mậu",
            "Thân",
            "ngập",
            "nước",
            "cây",
            "xanh",
            "Hoà",
            "Bình"
        ]
    );
    let bigrams: Vec<String> = tokens(VI_BIGRAMS, &text)
        .into_iter()
        .map(|(_, from, to)| text[from..to].nfc().collect())
        .collect();
    assert_eq!(bigrams[0], "Đường Mậu");
    assert_eq!(bigrams.last().map(String::as_str), Some("Hoà Bình"));
}

#[test]
fn bigrams_join_adjacent_syllables_within_a_sentence() {
    assert_eq!(texts(VI_BIGRAMS, "Cây xanh"), ["cay_xanh"]);
    assert_eq!(
        texts(VI_BIGRAMS, "nhà ở xã hội"),
        ["nha_o", "o_xa", "xa_hoi"]
    );
    // Sentence punctuation and line breaks end a phrase; hyphens and spaces do not.
    assert_eq!(
        texts(VI_BIGRAMS, "trồng cây. Xanh sạch, đẹp\nphố ki-lô-mét  số"),
        [
            "trong_cay",
            "xanh_sach",
            "pho_ki",
            "ki_lo",
            "lo_met",
            "met_so"
        ]
    );
    assert!(texts(VI_BIGRAMS, "một").is_empty());
    assert!(texts(VI_BIGRAMS, "").is_empty());
}

#[test]
fn long_words_and_stray_marks_are_skipped() {
    let long = "a".repeat(MAX_WORD_CHARS + 1);
    assert_eq!(
        texts(VI_FOLDED, &format!("cây {long} xanh")),
        ["cay", "xanh"]
    );
    // A long word breaks the phrase like punctuation.
    assert!(texts(VI_BIGRAMS, &format!("cây {long} xanh")).is_empty());
    assert_eq!(texts(VI_FOLDED, "cây \u{301} xanh"), ["cay", "xanh"]);
}

#[test]
fn query_helpers() {
    assert_eq!(query_syllables("Đường Hoà Bình"), ["duong", "hoa", "binh"]);
    assert_eq!(
        query_exact_syllables("Đường Hoà Bình"),
        ["đường", "hòa", "bình"]
    );
    assert_eq!(query_bigrams("nhà ở xã hội"), ["nha_o", "o_xa", "xa_hoi"]);
    assert!(query_bigrams("cây").is_empty());
    assert!(is_query_accented("cây xanh"));
    assert!(is_query_accented(&nfd("cây xanh")));
    assert!(is_query_accented("dd Đ"));
    assert!(!is_query_accented("cay xanh"));
    assert!(!is_query_accented("duong 3/2"));
}

#[test]
fn token_stream_before_advance_is_empty() {
    let mut analyzer = analyzer(VI_FOLDED);
    let stream = analyzer.token_stream("cây");
    assert!(stream.token().text.is_empty());
}

// The demonstration: an index with one field per analysis and the query the search service
// builds from them.

struct Demo {
    index: Index,
    id: Field,
    exact: Field,
    folded: Field,
    bigrams: Field,
}

const DOCS: [&str; 11] = [
    "Đường Mậu Thân ngập nước sau cơn mưa chiều qua",
    "Đề nghị mở rộng đại lộ Hòa Bình",
    "Cải tạo công viên Hoà Bình ở quận Ninh Kiều",
    "Trồng thêm cây xanh trên đường Trần Hưng Đạo",
    "Nông dân cấy lúa trên cánh đồng xanh",
    "Trong them cay xanh tren via he Cach Mang Thang Tam",
    "Nhà ở xã hội cho công nhân khu công nghiệp",
    "Sửa chữa trụ sở Uỷ ban nhân dân phường Cái Khế",
    "Tăng cường an ninh trật tự khu dân cư",
    "Đề cương quy hoạch chung thành phố",
    "Công viên Lưu Hữu Phước cần thêm ghế đá",
];

/// Documents written decomposed, as phones send them.
const DECOMPOSED: [usize; 2] = [6, 8];

fn field(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

fn demo() -> Demo {
    let mut builder = Schema::builder();
    let id = builder.add_u64_field("id", STORED);
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let exact = builder.add_text_field("exact", field(VI_EXACT, positions));
    // The folded field stores the original text, for snippets.
    let folded = builder.add_text_field("folded", field(VI_FOLDED, positions) | STORED);
    let bigrams =
        builder.add_text_field("bigrams", field(VI_BIGRAMS, IndexRecordOption::WithFreqs));
    let index = Index::create_in_ram(builder.build());
    register(index.tokenizers());
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    for (i, text) in DOCS.iter().enumerate() {
        let text = if DECOMPOSED.contains(&i) {
            nfd(text)
        } else {
            (*text).to_owned()
        };
        writer
            .add_document(doc!(
                id => i as u64,
                exact => text.as_str(),
                folded => text.as_str(),
                bigrams => text.as_str(),
            ))
            .expect("add");
    }
    writer.commit().expect("commit");
    Demo {
        index,
        id,
        exact,
        folded,
        bigrams,
    }
}

fn term_clause(field: Field, text: &str, boost: f32) -> (Occur, Box<dyn Query>) {
    let term = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    (
        Occur::Should,
        Box::new(BoostQuery::new(Box::new(term), boost)),
    )
}

impl Demo {
    fn searcher(&self) -> Searcher {
        self.index.reader().expect("reader").searcher()
    }

    /// The query the search service builds: folded syllables (1.0), exact syllables when the
    /// query is accented (2.0), bigrams (1.5), and fuzzy folded syllables (0.5) for syllables no
    /// document contains.
    fn query(&self, searcher: &Searcher, text: &str) -> BooleanQuery {
        let syllables = query_syllables(text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = syllables
            .iter()
            .map(|syllable| term_clause(self.folded, syllable, 1.0))
            .collect();
        if is_query_accented(text) {
            for syllable in query_exact_syllables(text) {
                clauses.push(term_clause(self.exact, &syllable, 2.0));
            }
        }
        for bigram in query_bigrams(text) {
            clauses.push(term_clause(self.bigrams, &bigram, 1.5));
        }
        for syllable in fuzzy_candidates(searcher, self.folded, &syllables).expect("doc freq") {
            let term = Term::from_field_text(self.folded, &syllable);
            let fuzzy = FuzzyTermQuery::new(term, FUZZY_DISTANCE, true);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(fuzzy), 0.5)),
            ));
        }
        BooleanQuery::new(clauses)
    }

    fn ids(&self, searcher: &Searcher, query: &dyn Query) -> Vec<u64> {
        let hits = searcher
            .search(query, &TopDocs::with_limit(20).order_by_score())
            .expect("search");
        hits.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address).expect("doc");
                doc.get_first(self.id).and_then(|v| v.as_u64()).expect("id")
            })
            .collect()
    }

    fn search(&self, text: &str) -> Vec<u64> {
        let searcher = self.searcher();
        self.ids(&searcher, &self.query(&searcher, text))
    }

    /// Documents matching every exact syllable of `text` on the exact field alone.
    fn search_exact(&self, text: &str) -> Vec<u64> {
        let searcher = self.searcher();
        let clauses = query_exact_syllables(text)
            .iter()
            .map(|syllable| {
                let (_, query) = term_clause(self.exact, syllable, 1.0);
                (Occur::Must, query)
            })
            .collect();
        self.ids(&searcher, &BooleanQuery::new(clauses))
    }
}

fn rank(ids: &[u64], id: u64) -> usize {
    ids.iter().position(|i| *i == id).unwrap_or(usize::MAX)
}

#[test]
fn unaccented_query_finds_accented_text() {
    let demo = demo();
    assert_eq!(demo.search("duong mau than ngap").first(), Some(&0));
}

#[test]
fn old_and_new_tone_placement_find_each_other() {
    let demo = demo();
    for query in ["hoà bình", "hòa bình", "Hoà Bình", &nfd("HOÀ BÌNH")] {
        // On the exact field alone: tone normalization, not folding, makes them equal.
        assert_eq!(demo.search_exact(query), [1, 2], "{query}");
        let ids = demo.search(query);
        assert_eq!(ids[..2].iter().copied().max(), Some(2), "{query}: {ids:?}");
        assert_eq!(ids[..2].iter().copied().min(), Some(1), "{query}: {ids:?}");
    }
    assert_eq!(demo.search_exact("Ủy ban"), [7]);
}

#[test]
fn accented_query_ranks_the_word_above_scattered_syllables() {
    let demo = demo();
    let ids = demo.search("cây xanh");
    // 3: "cây xanh"; 5: "cay xanh" without diacritics; 4: "cấy ... xanh".
    assert_eq!(ids.first(), Some(&3), "{ids:?}");
    assert!(rank(&ids, 5) < rank(&ids, 4), "{ids:?}");
    assert!(rank(&ids, 4) < usize::MAX, "{ids:?}");
}

#[test]
fn unaccented_query_finds_every_accented_variant() {
    let demo = demo();
    let ids = demo.search("cay xanh");
    for id in [3, 4, 5] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    // Without accents, the bigram alone puts the adjacent syllables first.
    assert!(
        rank(&ids, 3) < rank(&ids, 4) && rank(&ids, 5) < rank(&ids, 4),
        "{ids:?}"
    );
}

#[test]
fn decomposed_text_is_found_by_composed_query() {
    let demo = demo();
    assert_eq!(demo.search("nhà ở xã hội").first(), Some(&6));
    assert_eq!(demo.search_exact("nhà ở xã hội"), [6]);
    assert_eq!(demo.search_exact("tăng cường"), [8]);
}

#[test]
fn snippet_of_decomposed_text_highlights_the_original_words() {
    let demo = demo();
    let searcher = demo.searcher();
    let query = demo.query(&searcher, "xã hội");
    let generator = SnippetGenerator::create(&searcher, &query, demo.folded).expect("snippet");
    let hits = searcher
        .search(&query, &TopDocs::with_limit(1).order_by_score())
        .expect("search");
    let doc: TantivyDocument = searcher.doc(hits[0].1).expect("doc");
    let snippet = generator.snippet_from_doc(&doc);
    let highlighted: Vec<String> = snippet
        .highlighted()
        .iter()
        .map(|range| snippet.fragment()[range.clone()].nfc().collect())
        .collect();
    assert_eq!(highlighted, ["xã", "hội"]);
}

#[test]
fn fuzzy_applies_only_to_syllables_the_index_does_not_know() {
    let demo = demo();
    let searcher = demo.searcher();
    let known = |s: &str| {
        searcher
            .doc_freq(&Term::from_field_text(demo.folded, s))
            .expect("df")
    };
    assert!(known("cuong") > 0 && known("cong") > 0 && known("duong") > 0);

    // "cuogn", a typo of "cường"/"cương", is unknown: fuzzy finds both, not "công" or "đường".
    assert_eq!(
        fuzzy_candidates(&searcher, demo.folded, &query_syllables("tang cuogn")).expect("df"),
        ["cuogn"]
    );
    let mut ids = demo.search("cuogn");
    ids.sort_unstable();
    assert_eq!(ids, [8, 9]);

    // "cong" is known: no fuzzy clause, so "cương" and "cường" do not drown the "công" hits...
    assert!(
        fuzzy_candidates(&searcher, demo.folded, &query_syllables("cong"))
            .expect("df")
            .is_empty()
    );
    let mut ids = demo.search("cong");
    ids.sort_unstable();
    assert_eq!(ids, [2, 6, 10]);
    // ...which an unconditional fuzzy query would have done.
    let everything = FuzzyTermQuery::new(Term::from_field_text(demo.folded, "cong"), 1, true);
    let ids = demo.ids(&searcher, &everything);
    assert!(ids.contains(&8) && ids.contains(&9), "{ids:?}");

    // Short syllables are never expanded.
    assert!(
        fuzzy_candidates(&searcher, demo.folded, &query_syllables("xyz"))
            .expect("df")
            .is_empty()
    );
}
