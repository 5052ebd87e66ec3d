//! The test databases themselves, on the real PostgreSQL.

use test_postgres::TestDatabase;

async fn exists(name: &str) -> bool {
    let pool = sqlx::PgPool::connect(&test_postgres::server_url())
        .await
        .expect("the server answers");
    let found = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&pool)
        .await
        .expect("pg_database reads");
    pool.close().await;
    found
}

#[tokio::test]
async fn a_test_database_starts_with_every_migration_applied_and_goes_when_dropped() {
    let database = TestDatabase::create().await;
    let pool = database.pool().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' ORDER BY table_name",
    )
    .fetch_all(&pool)
    .await
    .expect("the catalogue reads");
    for table in [
        "events",
        "commands",
        "log_head",
        "users",
        "projection_checkpoints",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing: {tables:?}"
        );
    }
    pool.close().await;
    let name = database.name().to_owned();
    assert!(exists(&name).await);
    drop(database);
    assert!(!exists(&name).await, "{name} outlived its handle");
}

#[tokio::test]
async fn an_empty_test_database_has_no_tables() {
    let database = TestDatabase::create_empty().await;
    let pool = database.pool().await;
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&pool)
    .await
    .expect("the catalogue reads");
    pool.close().await;
    assert_eq!(count, 0);
}
