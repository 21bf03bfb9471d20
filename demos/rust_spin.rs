// rust_spin: four threads doing short critical sections on Rust's std::sync::Mutex, whose
// contended lock() spins on the CPU before it sleeps (Mutex::lock_contended).
//   rust_spin shared [N] [THREADS] [WORK]   one Mutex for all threads: they serialize on it
//   rust_spin own [N] [THREADS] [WORK]      a Mutex each: the same work, no contention
// N critical sections per thread (default 200000), THREADS threads (default 4), WORK steps of
// arithmetic under the lock (default 20). Prints
// "ADDR shared 0x..." (shared mode: where the Mutex lies) and "ELAPSED_NS n" at the end.
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// Tens of nanoseconds of work under the lock (WORK steps): short enough that a waiter's spin
// often wins the lock, long enough that the threads collide.
#[inline(never)]
fn critical(counter: &Mutex<u64>, work: u64) {
    let mut c = counter.lock().unwrap();
    let mut x = *c;
    for i in 0..work {
        // volatile: each step is done (std::hint::black_box is not stable in Debian's rustc 1.63)
        unsafe { std::ptr::write_volatile(&mut x, x.wrapping_mul(6364136223846793005).wrapping_add(i)) };
    }
    *c = x;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shared = args.get(1).map(|s| s == "shared").unwrap_or(true);
    let rounds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200000);
    let nthreads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(4);
    let work: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(20);
    let one = Arc::new(Mutex::new(0u64));
    if shared {
        println!("ADDR shared {:p}", &*one as *const Mutex<u64>);
    }
    let start = Instant::now();
    let workers: Vec<_> = (0..nthreads)
        .map(|_| {
            let m = if shared { Arc::clone(&one) } else { Arc::new(Mutex::new(0u64)) };
            thread::spawn(move || {
                for _ in 0..rounds {
                    critical(&m, work);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    println!("ELAPSED_NS {}", start.elapsed().as_nanos());
    // a tracer reads a new call site's frames from this process's files: do not vanish at once
    thread::sleep(Duration::from_millis(200));
}
