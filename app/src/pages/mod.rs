//! One route component per file.

mod home;
mod not_found;
mod team;
mod todo;

pub use home::HomePage;
pub use not_found::NotFound;
pub use team::TeamPage;
pub use todo::TodoPage;
