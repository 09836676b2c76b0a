//! The index statistics of one search, each looked up once.
//!
//! A search asks for the document frequency of the same syllables several times: to weigh
//! them (BM25), to tell a typo from a known word, to pick the cheapest way to the best results,
//! to highlight them and to suggest a spelling. Each is a lookup in the term dictionary of every
//! segment; this remembers the answers for the length of one search.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// [`Bm25StatisticsProvider`] of a searcher, remembering what it was asked.
pub struct Statistics<'a> {
    searcher: &'a Searcher,
    doc_freqs: RefCell<HashMap<Term, u64>>,
    tokens: RefCell<HashMap<Field, u64>>,
    docs: Cell<Option<u64>>,
}

impl<'a> Statistics<'a> {
    /// The statistics of `searcher`'s index.
    pub fn new(searcher: &'a Searcher) -> Self {
        Self {
            searcher,
            doc_freqs: RefCell::default(),
            tokens: RefCell::default(),
            docs: Cell::default(),
        }
    }

    /// The searcher.
    pub fn searcher(&self) -> &'a Searcher {
        self.searcher
    }
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.tokens.borrow().get(&field) {
            return Ok(*n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        if let Some(n) = self.docs.get() {
            return Ok(n);
        }
        let n = Bm25StatisticsProvider::total_num_docs(self.searcher)?;
        self.docs.set(Some(n));
        Ok(n)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self.doc_freqs.borrow().get(term) {
            return Ok(*n);
        }
        let n = self.searcher.doc_freq(term)?;
        self.doc_freqs.borrow_mut().insert(term.clone(), n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::Bm25StatisticsProvider;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, TantivyDocument, Term};

    use super::Statistics;

    #[test]
    fn answers_as_the_searcher_does() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for text in ["cay xanh", "cay", "xanh xanh duong"] {
            let mut doc = TantivyDocument::default();
            doc.add_text(body, text);
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let stats = Statistics::new(&searcher);
        for word in ["cay", "xanh", "duong", "ngap"] {
            let term = Term::from_field_text(body, word);
            // Twice: the second answer comes from memory and must be the same.
            for _ in 0..2 {
                assert_eq!(
                    stats.doc_freq(&term).expect("df"),
                    searcher.doc_freq(&term).expect("df"),
                    "{word}"
                );
            }
        }
        assert_eq!(stats.total_num_docs().expect("docs"), 3);
        assert_eq!(stats.total_num_tokens(body).expect("tokens"), 6);
        assert_eq!(stats.total_num_tokens(body).expect("tokens"), 6);
    }
}
