//! How long a name, a description or a tag may be. The domain enforces
//! these and the error messages quote them, so they live below both.

pub const NAME_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
pub const TAG_MAX_CHARS: usize = 100;
