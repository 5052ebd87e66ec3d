//! A whole run, bounded: it ends with an error when it outlasts `--timeout` or on Ctrl-C,
//! so that its children (which die with the coordinator) never outlive it either.

use std::{future::Future, time::Duration};

pub async fn within(
    limit: Duration,
    run: impl Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    tokio::select! {
        finished = tokio::time::timeout(limit, run) => {
            finished.unwrap_or_else(|_| Err(anyhow::anyhow!("the run took longer than --timeout")))
        }
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_run_that_outlasts_its_limit_ends_with_an_error() {
        let outcome = within(Duration::from_millis(10), async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        })
        .await;
        assert_eq!(
            outcome.unwrap_err().to_string(),
            "the run took longer than --timeout"
        );
    }

    #[tokio::test]
    async fn a_run_within_its_limit_ends_as_it_ends() {
        let outcome = within(Duration::from_secs(60), async {
            anyhow::bail!("its own error")
        })
        .await;
        assert_eq!(outcome.unwrap_err().to_string(), "its own error");
    }
}
