//! One route component per file.

mod home;
mod join;
mod login;
mod members;
mod not_found;
mod signup;
mod team;
mod todo;

pub use home::HomePage;
pub use join::JoinPage;
pub use login::LoginPage;
pub use members::MembersPage;
pub use not_found::NotFound;
pub use signup::SignupPage;
pub use team::TeamPage;
pub use todo::TodoPage;
