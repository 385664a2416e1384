//! How long a name, a description or a tag may be. The domain enforces
//! these and the error messages quote them, so they live below both.

pub const NAME_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
pub const TAG_MAX_CHARS: usize = 100;

/// The largest file an import reads: ten years of busy tracking in any
/// supported format is a few tens of MiB, so a larger one is a mistake (or
/// `/dev/zero`), and reading it whole would exhaust memory.
pub const IMPORT_MAX_BYTES: u64 = 256 * 1024 * 1024;
