// Synthetic kernel log generator; see kmsg.hpp.
#include "kmsg.hpp"

#include <cstdio>

namespace drvbench {

namespace {

const char *const funcs[] = {
	"do_syscall_64",      "entry_SYSCALL_64_after_hwframe", "__x64_sys_ioctl", "drm_ioctl",
	"drm_ioctl_kernel",   "drm_mode_atomic_ioctl",          "drm_atomic_commit", "ksys_write",
	"vfs_write",          "new_sync_write",                 "blk_mq_submit_bio", "submit_bio_noacct",
	"process_one_work",   "worker_thread",                  "kthread",           "ret_from_fork",
	"ret_from_fork_asm",  "__schedule",                     "schedule_timeout",  "io_uring_enter",
	"io_submit_sqes",     "io_issue_sqe",                   "nvme_queue_rq",     "null_queue_rq",
	"dma_fence_wait_timeout", "amdgpu_dm_atomic_commit_tail", "i915_gem_do_execbuffer", "ext4_file_write_iter",
};
const char *const modules[] = {"", "", "", " [drm]", " [amdgpu]", " [i915]", " [nvme]", " [null_blk]", " [ext4]"};
const char *const bugs[] = {
	"BUG: kernel NULL pointer dereference, address: %016llx",
	"BUG: unable to handle page fault for address: %016llx",
	"general protection fault, probably for non-canonical address 0x%016llx: 0000 [#1] PREEMPT SMP NOPTI",
	"kernel BUG at drivers/gpu/drm/drm_atomic.c:%llu!",
	"WARNING: CPU: 3 PID: 1234 at mm/slub.c:%llu kmem_cache_free+0x2a1/0x2c0",
};
const char *const comms[] = {"kworker/u16:3", "Xorg", "systemd", "fio", "gnome-shell", "kswapd0", "drvbench"};

struct Log {
	std::string out;
	SplitMix64 rng;
	double t;
	explicit Log(uint64_t seed) : rng(seed), t(1.0 + static_cast<double>(seed % 1000)) {}

	void line(const std::string &text)
	{
		t += static_cast<double>(rng.below(50000)) / 1e6;
		char ts[32];
		snprintf(ts, sizeof ts, "[%5llu.%06llu] ", static_cast<unsigned long long>(t),
			 static_cast<unsigned long long>((t - static_cast<unsigned long long>(t)) * 1e6));
		out += ts;
		out += text;
		out += '\n';
	}
	unsigned long long hex64() { return rng.next(); }
	unsigned long long kaddr() { return 0xffff800000000000ull | (rng.next() & 0x00007fffffffffffull); }

	void oops()
	{
		char b[256];
		unsigned long long addr = rng.below(4) ? rng.below(0x100) : kaddr();
		snprintf(b, sizeof b, bugs[rng.below(std::size(bugs))], addr);
		line(b);
		line("#PF: supervisor read access in kernel mode");
		line("#PF: error_code(0x0000) - not-present page");
		snprintf(b, sizeof b, "PGD %llx P4D %llx PUD 0", rng.below(1ull << 32), rng.below(1ull << 32));
		line(b);
		line("Oops: 0000 [#1] PREEMPT SMP NOPTI");
		snprintf(b, sizeof b, "CPU: %llu PID: %llu Comm: %s Tainted: G        W          6.15.0-rc%llu #1",
			 rng.below(16), 1 + rng.below(40000), comms[rng.below(std::size(comms))], 1 + rng.below(7));
		line(b);
		line("Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014");
		const char *f = funcs[rng.below(std::size(funcs))];
		snprintf(b, sizeof b, "RIP: 0010:%s+0x%llx/0x%llx%s", f, rng.below(0x200), 0x200 + rng.below(0x400),
			 modules[rng.below(std::size(modules))]);
		line(b);
		std::string code = "Code:";
		for (int i = 0; i < 42; i++) {
			snprintf(b, sizeof b, i == 21 ? " <%02llx>" : " %02llx", rng.below(256));
			code += b;
		}
		line(code);
		snprintf(b, sizeof b, "RSP: 0018:%016llx EFLAGS: %08llx", kaddr(), 0x10000 | rng.below(0x300));
		line(b);
		const char *regs[][3] = {{"RAX", "RBX", "RCX"}, {"RDX", "RSI", "RDI"}, {"RBP", "R08", "R09"},
					 {"R10", "R11", "R12"}, {"R13", "R14", "R15"}};
		for (auto &r : regs) {
			snprintf(b, sizeof b, "%s: %016llx %s: %016llx %s: %016llx", r[0],
				 rng.below(3) ? 0ull : hex64(), r[1], kaddr(), r[2], rng.below(2) ? 0ull : kaddr());
			line(b);
		}
		snprintf(b, sizeof b, "FS:  %016llx(0000) GS:%016llx(0000) knlGS:0000000000000000", hex64() >> 16,
			 kaddr());
		line(b);
		line("CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033");
		snprintf(b, sizeof b, "CR2: %016llx CR3: %016llx CR4: 0000000000750ef0", addr, rng.below(1ull << 36));
		line(b);
		line("PKRU: 55555554");
		line("Call Trace:");
		line(" <TASK>");
		int depth = 6 + static_cast<int>(rng.below(12));
		for (int i = 0; i < depth; i++) {
			const char *fn = funcs[rng.below(std::size(funcs))];
			unsigned long long size = 0x40 + rng.below(0x800);
			snprintf(b, sizeof b, " %s%s+0x%llx/0x%llx%s", rng.below(6) ? "" : "? ", fn, rng.below(size), size,
				 modules[rng.below(std::size(modules))]);
			line(b);
		}
		line(" </TASK>");
		line("Modules linked in: null_blk nvme nvme_core amdgpu drm_panic_qr drm_kms_helper drm i2c_algo_bit");
		snprintf(b, sizeof b, "CR2: %016llx", addr);
		line(b);
		line("---[ end trace 0000000000000000 ]---");
	}

	void chatter()
	{
		char b[200];
		switch (rng.below(5)) {
		case 0:
			snprintf(b, sizeof b, "nvme nvme0: I/O %llu (Read) QID %llu timeout, aborting", rng.below(1024),
				 1 + rng.below(8));
			break;
		case 1:
			snprintf(b, sizeof b, "null_blk: disk nullb%llu created", rng.below(4));
			break;
		case 2:
			snprintf(b, sizeof b, "[drm] amdgpu: %llu MiB of VRAM memory ready", 256ull << rng.below(6));
			break;
		case 3:
			snprintf(b, sizeof b, "EXT4-fs (nvme0n1p%llu): mounted filesystem with ordered data mode.",
				 1 + rng.below(4));
			break;
		default:
			snprintf(b, sizeof b, "audit: type=1400 audit(%llu.%03llu:%llu): apparmor=\"STATUS\"",
				 1700000000 + rng.below(100000), rng.below(1000), rng.below(1000));
			break;
		}
		line(b);
	}
};

} // namespace

std::string synthetic_kmsg(uint64_t seed, size_t min_bytes)
{
	Log log(seed);
	while (log.out.size() < min_bytes) {
		int n = static_cast<int>(log.rng.below(6));
		for (int i = 0; i < n; i++)
			log.chatter();
		log.oops();
	}
	return log.out;
}

std::vector<uint8_t> random_bytes(uint64_t seed, size_t n)
{
	SplitMix64 r(seed ^ 0x5eed5eed5eedull);
	std::vector<uint8_t> v(n);
	for (auto &b : v)
		b = static_cast<uint8_t>(r.next() >> 56);
	return v;
}

} // namespace drvbench
