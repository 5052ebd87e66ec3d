//! The sender as a child process, `tidings-load floor-sender`: it prints its port, then
//! runs a round for each line of its stdin and answers each with the microseconds its
//! writes took. It dies with the coordinator.

use super::{FloorError, FloorOptions, Rounds, SenderOptions, sender};
use crate::run::children::std_command;
use std::{
    io::{self, BufRead, BufReader, Write},
    net::{Ipv4Addr, SocketAddr, TcpListener},
    process::{Child, ChildStdin, ChildStdout, Stdio},
    time::Duration,
};

/// `tidings-load floor-sender`.
pub fn serve_sender(options: SenderOptions) -> Result<(), FloorError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let mut out = io::stdout().lock();
    writeln!(out, "{}", listener.local_addr()?.port())?;
    out.flush()?;
    let rounds = io::stdin().lock().lines().map_while(Result::ok).map(drop);
    sender::serve(listener, &options, rounds, |took| {
        writeln!(out, "{}", took.as_micros())?;
        out.flush()
    })
}

/// The running child, killed when this drops.
pub struct SenderChild {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
}

impl SenderChild {
    pub fn spawn(options: &FloorOptions) -> Result<Self, FloorError> {
        let sender = options.sender();
        let mut child = std_command(std::env::current_exe()?)
            .arg("floor-sender")
            .args(["--subscribers", &sender.subscribers.to_string()])
            .args(["--threads", &sender.threads.to_string()])
            .args(["--frame-bytes", &sender.frame_bytes.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(FloorError::Sender(
                "its stdin and stdout are not piped".into(),
            ));
        };
        let mut stdout = BufReader::new(stdout);
        let port = read_number(&mut stdout, "its port")?;
        let port = u16::try_from(port).map_err(|_| FloorError::Sender(format!("port {port}")))?;
        Ok(Self {
            child,
            stdin,
            stdout,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Rounds for SenderChild {
    fn fire(&mut self) -> Result<Duration, FloorError> {
        writeln!(self.stdin, "go")?;
        self.stdin.flush()?;
        let micros = read_number(&mut self.stdout, "the time its writes took")?;
        Ok(Duration::from_micros(micros))
    }
}

impl Drop for SenderChild {
    fn drop(&mut self) {
        // Already gone is fine: either way it is reaped.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_number(stdout: &mut impl BufRead, what: &str) -> Result<u64, FloorError> {
    let mut line = String::new();
    if stdout.read_line(&mut line)? == 0 {
        return Err(FloorError::Sender(format!(
            "it ended before printing {what}"
        )));
    }
    line.trim()
        .parse()
        .map_err(|_| FloorError::Sender(format!("{what} is not a number: {line:?}")))
}
