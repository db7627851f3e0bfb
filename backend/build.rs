// The migrations are embedded into the binary by a macro, which cargo does
// not know to watch: rebuild when any of them changes.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
