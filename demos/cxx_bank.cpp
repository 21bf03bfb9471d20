// cxx_bank: C++'s own primitives on the heap, built as distributions build (-O2, no frame
// pointers): each Account's std::mutex (std::vector of std::unique_ptr), a Queue's std::mutex
// and std::condition_variable, std::thread and its join. Two depositors share account 1
// (contention), a consumer waits on the queue (idle), main joins all three.
//   cxx_bank [N]   N deposits per depositor (default 3000)
// Prints "ADDR account|queue_mutex|queue_cond 0x..." (where each lock lies) first.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <time.h>

struct Account {
	std::mutex m;
	long balance = 0;
	__attribute__((noinline)) void deposit(long amount);
};

struct Queue {
	std::mutex m;
	std::condition_variable cond;
	int items = 0;
	__attribute__((noinline)) int pop();
	void push();
};

static void spin_ns(long ns)
{
	timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < ns);
}

void Account::deposit(long amount)
{
	std::lock_guard<std::mutex> g(m);
	balance += amount;
	spin_ns(2000);
}

int Queue::pop()
{
	std::unique_lock<std::mutex> g(m);
	cond.wait(g, [this] { return items > 0; });
	return items--;
}

void Queue::push()
{
	{
		std::lock_guard<std::mutex> g(m);
		items++;
	}
	cond.notify_one();
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 3000;
	std::vector<std::unique_ptr<Account>> accounts;
	auto queue = std::make_unique<Queue>();

	for (int i = 0; i < 2; i++)
		accounts.push_back(std::make_unique<Account>());
	std::printf("ADDR account %p\nADDR queue_mutex %p\nADDR queue_cond %p\n", (void *)&accounts[1]->m,
		    (void *)&queue->m, (void *)&queue->cond);
	std::fflush(stdout);
	std::thread consumer([&] { std::printf("popped %d\n", queue->pop()); });
	std::vector<std::thread> depositors;
	for (int t = 0; t < 2; t++)
		depositors.emplace_back([&] {
			for (long i = 0; i < rounds; i++)
				accounts[1]->deposit(i);
		});
	for (auto &d : depositors)
		d.join();
	queue->push();
	consumer.join();
	std::printf("balance %ld\n", accounts[1]->balance);
	std::fflush(stdout);
	// a tracer reads a new call site's frames from this process's files: do not vanish at once
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	return 0;
}
