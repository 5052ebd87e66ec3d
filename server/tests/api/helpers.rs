//! `spawn_app`: the real application on port 0 with its own SQLite file, and typed helpers
//! that call its server functions over HTTP as a browser's JavaScript would.

use app::{
    api::{AppError, CommandReceipt, TeamBoard, TodoDetail},
    domain::{CommandId, TeamId, TodoId},
};
use server::{config::Settings, identity::DevIdentity, startup::Application};
use std::net::SocketAddr;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub team: TeamId,
    _data: tempfile::TempDir,
}

/// What a server function answered: its value, or the typed error with the HTTP status.
pub type Answer<T> = Result<T, (u16, AppError)>;

pub async fn spawn_app() -> TestApp {
    let data = tempfile::tempdir().expect("a temporary folder");
    let app = Application::build(Settings::for_tests(data.path().to_owned()))
        .await
        .expect("the application starts");
    let addr = app.local_addr();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        addr,
        client: reqwest::Client::new(),
        team: DevIdentity::default().team,
        _data: data,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Calls a server function with form-encoded arguments, as `ActionForm` does with
    /// JavaScript on.
    pub async fn call<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Answer<T> {
        let response = self
            .client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let body = response.text().await.expect("a body");
        if (200..300).contains(&status) {
            Ok(serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}")))
        } else {
            let error = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
            Err((status, error))
        }
    }

    pub async fn create_todo(&self, title: &str) -> Answer<CommandReceipt> {
        self.create_todo_with(
            &self.team.to_string(),
            title,
            "",
            &CommandId::new().to_string(),
        )
        .await
    }

    pub async fn create_todo_with(
        &self,
        team: &str,
        title: &str,
        description: &str,
        command_id: &str,
    ) -> Answer<CommandReceipt> {
        let form = [
            ("team_id", team),
            ("title", title),
            ("description", description),
            ("command_id", command_id),
        ];
        self.call("create_todo", &form).await
    }

    pub async fn transition(
        &self,
        todo: &str,
        version: u64,
        action: &str,
    ) -> Answer<CommandReceipt> {
        let version = version.to_string();
        let command_id = CommandId::new().to_string();
        let form = [
            ("todo_id", todo),
            ("expected_version", version.as_str()),
            ("action", action),
            ("command_id", command_id.as_str()),
        ];
        self.call("transition_todo", &form).await
    }

    pub async fn update(
        &self,
        todo: TodoId,
        version: u64,
        title: &str,
        description: &str,
        notes: &str,
    ) -> Answer<CommandReceipt> {
        let (todo, version) = (todo.to_string(), version.to_string());
        let command_id = CommandId::new().to_string();
        let form = [
            ("todo_id", todo.as_str()),
            ("expected_version", version.as_str()),
            ("title", title),
            ("description", description),
            ("notes", notes),
            ("command_id", command_id.as_str()),
        ];
        self.call("update_todo", &form).await
    }

    pub async fn board(&self) -> TeamBoard {
        let team = self.team.to_string();
        self.call("team_board", &[("team_id", team.as_str())])
            .await
            .expect("the team board")
    }

    pub async fn detail(&self, todo: TodoId) -> Answer<TodoDetail> {
        let todo = todo.to_string();
        self.call("todo_detail", &[("todo_id", todo.as_str())])
            .await
    }

    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("a page");
        (
            response.status().as_u16(),
            response.text().await.expect("html"),
        )
    }
}
