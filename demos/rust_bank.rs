// rust_bank: Rust's std primitives on the heap (built -O, no frame pointers): an account's
// std::sync::Mutex shared through an Arc (two depositors: contention), a queue's Mutex and
// Condvar (a consumer waits: idle), std::thread::spawn and JoinHandle::join by main.
//   rust_bank [N]   N deposits per depositor (default 3000)
// Prints "ADDR account|queue_mutex|queue_cond 0x..." (where each lock lies) first.
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

struct Queue {
    m: Mutex<i32>,
    cond: Condvar,
}

#[inline(never)]
fn deposit(account: &Mutex<i64>, amount: i64) {
    let mut b = account.lock().unwrap();
    *b += amount;
    let t = Instant::now();
    while t.elapsed() < Duration::from_micros(2) {}
}

#[inline(never)]
fn pop(q: &Queue) -> i32 {
    let mut items = q.m.lock().unwrap();
    while *items == 0 {
        items = q.cond.wait(items).unwrap();
    }
    *items -= 1;
    *items
}

fn main() {
    let rounds: i64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3000);
    let account = Arc::new(Mutex::new(0i64));
    let queue = Arc::new(Queue { m: Mutex::new(0), cond: Condvar::new() });
    println!("ADDR account {:p}", &*account as *const Mutex<i64>);
    println!("ADDR queue_mutex {:p}", &queue.m as *const Mutex<i32>);
    println!("ADDR queue_cond {:p}", &queue.cond as *const Condvar);
    let q = Arc::clone(&queue);
    let consumer = thread::spawn(move || pop(&q));
    let depositors: Vec<_> = (0..2)
        .map(|_| {
            let a = Arc::clone(&account);
            thread::spawn(move || {
                for i in 0..rounds {
                    deposit(&a, i);
                }
            })
        })
        .collect();
    for d in depositors {
        d.join().unwrap();
    }
    *queue.m.lock().unwrap() += 1;
    queue.cond.notify_one();
    consumer.join().unwrap();
    println!("balance {}", *account.lock().unwrap());
    // a tracer reads a new call site's frames from this process's files: do not vanish at once
    thread::sleep(Duration::from_millis(200));
}
