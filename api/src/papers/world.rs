//! The typesetter's view of the world: one template, one data file, the fonts built into the
//! binary, and nothing else. A template cannot read the disk or the network, so a county's
//! own template is as safe to run as ours.
use std::sync::LazyLock;

use typst::{
    Library, LibraryExt, World,
    diag::{FileError, FileResult},
    foundations::{Bytes, Datetime},
    syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot},
    text::{Font, FontBook},
    utils::LazyHash,
};

/// The fonts every document uses, loaded once: Libertinus Serif for text (Latin, Greek,
/// Cyrillic and Hebrew), DejaVu Sans Mono for hashes, New Computer Modern as fallback.
pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

pub static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::builder().build()));

impl Fonts {
    /// Whether some font has a glyph for `c`: a character no font has would be drawn as the
    /// empty `.notdef` box, which PDF/A forbids.
    pub fn covers(&self, c: char) -> bool {
        self.fonts.iter().any(|f| f.info().coverage.contains(c as u32))
    }
}

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a fixed absolute path"),
    ))
}

/// One document to typeset: the template as the main file and the data it reads as JSON.
pub struct Paper {
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Datetime,
}

/// Where the template finds its data: `json("/data.json")`.
pub const DATA_PATH: &str = "/data.json";

impl Paper {
    pub fn new(template: &str, data: Vec<u8>, today: Datetime) -> Self {
        Self {
            main: Source::new(file_id("/main.typ"), template.to_owned()),
            data_id: file_id(DATA_PATH),
            data: Bytes::new(data),
            today,
        }
    }
}

impl Paper {
    /// The template being typeset.
    pub fn template(&self) -> &Source {
        &self.main
    }
}

impl World for Paper {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
