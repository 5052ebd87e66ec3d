//! The server process as Linux shows it in `/proc/<pid>`: CPU time used (user plus system,
//! from `stat`) and resident memory (`VmRSS`, from `status`).

use std::{fs, io};

#[derive(Debug, thiserror::Error)]
pub enum ProcError {
    #[error("could not read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("/proc/<pid>/stat has no utime and stime fields: {0:?}")]
    Stat(String),
    #[error("/proc/<pid>/status has no VmRSS line in kB")]
    Status,
}

/// CPU time a process used, split as the kernel counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuTime<T> {
    pub user: T,
    pub system: T,
}

impl CpuTime<f64> {
    pub fn total(self) -> f64 {
        self.user + self.system
    }

    pub fn since(self, earlier: Self) -> Self {
        Self {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
        }
    }
}

/// A running process, read on demand.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pid: u32,
}

impl Probe {
    pub fn new(pid: u32) -> Self {
        Self { pid }
    }

    /// User and system CPU seconds used so far.
    pub fn cpu_seconds(self) -> Result<CpuTime<f64>, ProcError> {
        let ticks = cpu_ticks(&self.read("stat")?)?;
        let per_second = clock_ticks_per_second() as f64;
        Ok(CpuTime {
            user: ticks.user as f64 / per_second,
            system: ticks.system as f64 / per_second,
        })
    }

    pub fn rss_bytes(self) -> Result<u64, ProcError> {
        rss_bytes(&self.read("status")?)
    }

    fn read(self, file: &str) -> Result<String, ProcError> {
        let path = format!("/proc/{}/{file}", self.pid);
        fs::read_to_string(&path).map_err(|source| ProcError::Read { path, source })
    }
}

/// `utime` and `stime` from the text of `/proc/<pid>/stat`, in clock ticks. The command
/// name (field 2) is in parentheses and may hold spaces, so fields are counted after its `)`.
pub fn cpu_ticks(stat: &str) -> Result<CpuTime<u64>, ProcError> {
    let malformed = || ProcError::Stat(stat.chars().take(120).collect());
    let (_, after_name) = stat.rsplit_once(')').ok_or_else(malformed)?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name come field 3 (state) onwards: utime is field 14, stime field 15.
    let field = |number: usize| -> Result<u64, ProcError> {
        fields
            .get(number - 3)
            .and_then(|text| text.parse().ok())
            .ok_or_else(malformed)
    };
    Ok(CpuTime {
        user: field(14)?,
        system: field(15)?,
    })
}

/// `VmRSS` from the text of `/proc/<pid>/status`, in bytes.
pub fn rss_bytes(status: &str) -> Result<u64, ProcError> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .ok_or(ProcError::Status)
}

/// The kernel's clock ticks per second (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
pub fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|&t| t > 0).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (tokio server) S 1 4242 4242 0 -1 4194560 5000 0 0 0 \
                        731 269 0 0 20 0 4 0 12345 1000000 2500 18446744073709551615";

    #[test]
    fn cpu_ticks_are_user_time_and_system_time() {
        let ticks = cpu_ticks(STAT).unwrap();
        assert_eq!((ticks.user, ticks.system), (731, 269));
    }

    #[test]
    fn a_command_name_with_parentheses_does_not_shift_the_fields() {
        let stat = STAT.replace("(tokio server)", "(a (b) c)");
        assert_eq!(cpu_ticks(&stat).unwrap(), cpu_ticks(STAT).unwrap());
    }

    #[test]
    fn a_truncated_stat_line_is_an_error() {
        assert!(matches!(
            cpu_ticks("4242 (server) S 1 2 3"),
            Err(ProcError::Stat(_))
        ));
    }

    #[test]
    fn resident_memory_is_read_from_vmrss_in_bytes() {
        let status = "Name:\tserver\nVmPeak:\t  900000 kB\nVmRSS:\t   51234 kB\nThreads:\t4\n";
        assert_eq!(rss_bytes(status).unwrap(), 51_234 * 1024);
    }

    #[test]
    fn a_status_without_vmrss_is_an_error() {
        assert!(matches!(
            rss_bytes("Name:\tzombie\n"),
            Err(ProcError::Status)
        ));
    }

    #[test]
    fn this_process_can_be_probed() {
        let me = Probe::new(std::process::id());
        assert!(me.rss_bytes().unwrap() > 0);
        assert!(me.cpu_seconds().unwrap().total() >= 0.0);
    }
}
