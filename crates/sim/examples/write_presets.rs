//! Writes the preset configs to `fixtures/sim/<preset>.json` (run after changing a preset):
//! `cargo run -p rnameta-sim --example write_presets`.

use std::path::Path;

use rnameta_sim::{Preset, SimConfig};

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sim");
    std::fs::create_dir_all(&dir)?;
    for preset in Preset::ALL {
        std::fs::write(
            dir.join(format!("{}.json", preset.name())),
            SimConfig::preset(preset).to_json(),
        )?;
    }
    Ok(())
}
