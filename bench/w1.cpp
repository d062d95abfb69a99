// w1: workload W1 (docs/performance.md) through the OSID interfaces, side by
// side with a plain SQLite schema, in one run. Each backend runs in a fresh
// child process; the table gives items/s per phase, memory, the ratios to
// the plain SQLite baselines of the same run, and the check values. With
// --runs R the backends run R times in turn (every other round backwards);
// items/s are the medians of the runs, and a ratio is the median of the
// ratios of the rounds, each taken between runs that were neighbours.
//
// Usage: w1 [--messages N] [--runs R] [--dir DIR] [BACKEND...]
//        w1 --scaling 100000,1000000,4000000 [BACKEND...]   (default: memory)
//
// BACKEND is an implementation string for the provider runtime ("memory",
// "sqlite:FILE", "sqlite::memory:", "postgres:CONNINFO") or a baseline,
// "plain-sqlite::memory:", "plain-sqlite:FILE" or "plain-postgres:CONNINFO"
// (plain tables over libpq in that database). A PostgreSQL backend starts
// from an empty database: the provider's schema osid_messaging and the
// plain tables are dropped first. Default: all four kinds, files in --dir (removed
// afterwards). Exit status 1 if a backend fails or its check values are
// wrong (at W1's size, N = 1,000,000, against W1's published values;
// otherwise backends must agree with each other).

#include "bench/w1_backend.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using json = nlohmann::json;

namespace {

constexpr std::uint64_t kBatch = 10'000;
const std::vector<std::string> kPhases = {"P1 create",           "P2 update",         "P3 alias",  "P3r re-point",
                                          "P4 delete by sender", "P5 delete by date", "P6 lookup", "P7 delete all"};

// The values W1 publishes for N = 1,000,000 (seed 42 / 43).
const json kW1CheckValues = {{"P4 deleted", 10047},        {"P5 deleted", {9923, 9826}},      {"P6 hits by id", 48522},
                             {"P6 hits via alias", 48509}, {"P6 digest", "6d9e8112962482c1"}, {"P7 deleted", 970204}};

// VmRSS or VmHWM of this process, in bytes.
std::uint64_t memoryStatus(const std::string &field)
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind(field + ":", 0) == 0)
            return std::stoull(line.substr(field.size() + 1)) * 1024;
    return 0;
}

class Timer {
public:
    template <class F>
    auto operator()(F &&f)
    {
        const auto start = std::chrono::steady_clock::now();
        auto result = f();
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return result;
    }
    double seconds = 0;
};

// Runs every phase of W1 on one backend, exactly in W1's order;
// `afterLoad`, if given, runs untimed after P1 and may add to the result.
json runW1(w1::Backend &store, std::uint64_t n, const std::function<void(json &)> &afterLoad = {})
{
    if (n < 100'000)
        throw std::runtime_error("W1 needs at least 100,000 messages (P2 and P3 touch 100,000)");
    json out;
    auto phase = [&](const std::string &name, std::uint64_t items, double seconds) {
        out["phases"][name] = {{"items", items}, {"seconds", seconds}};
    };

    // P1.
    w1::SplitMix64 m(42);
    const auto rssBefore = memoryStatus("VmRSS");
    Timer p1;
    std::uint64_t created = 0;
    std::vector<w1::Message> batch;
    for (std::uint64_t first = 0; first < n; first += kBatch) {
        batch.clear();
        for (std::uint64_t i = first; i < std::min(n, first + kBatch); ++i)
            batch.push_back(w1::nextMessage(m));
        created += p1([&] { return store.create(batch); });
    }
    phase("P1 create", created, p1.seconds);
    const auto peak = memoryStatus("VmHWM");
    out["memory"] = {{"rss before P1", rssBefore},
                     {"peak after P1", peak},
                     {"bytes per message", static_cast<double>(peak - rssBefore) / static_cast<double>(n)}};
    if (created != n || store.count() != n)
        throw std::runtime_error(fmt::format("P1 created {} of {} messages", created, n));
    if (afterLoad)
        afterLoad(out);

    // P2.
    w1::SplitMix64 o(43);
    {
        const auto perm = w1::shuffleK(o, n, 100'000);
        Timer t;
        std::uint64_t updated = 0;
        for (std::uint64_t first = 0; first < perm.size(); first += kBatch) {
            std::vector<std::pair<std::uint64_t, std::string>> texts;
            for (std::uint64_t k = first; k < first + kBatch; ++k)
                texts.emplace_back(perm[k], o.text(256));
            updated += t([&] { return store.update(texts); });
        }
        phase("P2 update", updated, t.seconds);
    }

    // P3 and P3r.
    std::vector<std::uint64_t> aliases(100'000);
    {
        const auto perm = w1::shuffleK(o, n, 100'000);
        for (auto &a : aliases)
            a = o.next() >> 1;
        Timer t;
        std::uint64_t aliased = 0;
        for (std::uint64_t first = 0; first < perm.size(); first += kBatch) {
            std::vector<std::pair<std::uint64_t, std::uint64_t>> requests;
            for (std::uint64_t k = first; k < first + kBatch; ++k)
                requests.emplace_back(aliases[k], perm[k]);
            aliased += t([&] { return store.alias(requests); });
        }
        phase("P3 alias", aliased, t.seconds);

        const auto chosen = w1::shuffleK(o, aliases.size(), 10'000);
        std::vector<std::pair<std::uint64_t, std::uint64_t>> requests;
        for (auto c : chosen)
            requests.emplace_back(aliases[c], 0);
        for (auto &r : requests)
            r.second = o.next() % n;
        Timer r;
        const auto repointed = r([&] { return store.alias(requests); });
        phase("P3r re-point", repointed, r.seconds);
    }

    // P4.
    {
        const auto senders = w1::shuffleK(o, w1::kSenders, 10);
        Timer t;
        std::uint64_t deleted = 0;
        for (auto s : senders)
            deleted += t([&] { return store.deleteBySender(s); });
        phase("P4 delete by sender", deleted, t.seconds);
        out["checks"]["P4 deleted"] = deleted;
    }

    // P5.
    {
        Timer t;
        std::vector<std::uint64_t> deleted;
        for (std::int64_t percent : {25, 60})
            deleted.push_back(t([&] {
                return store.deleteBySentTime(w1::kT0 + percent * w1::kSpan / 100,
                                              w1::kT0 + (percent + 1) * w1::kSpan / 100);
            }));
        phase("P5 delete by date", deleted[0] + deleted[1], t.seconds);
        out["checks"]["P5 deleted"] = deleted;
    }

    // P6: keys drawn before timing.
    {
        std::vector<std::uint64_t> keys(100'000);
        for (std::size_t k = 0; k < keys.size(); ++k)
            keys[k] = k % 2 == 0 ? o.next() % n : aliases[o.next() % aliases.size()];
        std::uint64_t hitsById = 0, hitsByAlias = 0, sum = 0;
        Timer t;
        t([&] {
            for (std::size_t k = 0; k < keys.size(); ++k) {
                const auto digest = k % 2 == 0 ? store.lookup(keys[k]) : store.lookupByAlias(keys[k]);
                if (digest) {
                    ++(k % 2 == 0 ? hitsById : hitsByAlias);
                    sum += *digest;
                }
            }
            return 0;
        });
        phase("P6 lookup", keys.size(), t.seconds);
        out["checks"]["P6 hits by id"] = hitsById;
        out["checks"]["P6 hits via alias"] = hitsByAlias;
        out["checks"]["P6 digest"] = fmt::format("{:016x}", sum);
    }

    // P7.
    {
        Timer t;
        const auto deleted = t([&] { return store.deleteAll(); });
        phase("P7 delete all", deleted, t.seconds);
        out["checks"]["P7 deleted"] = deleted;
    }
    return out;
}

// Runs `work` in a child process and returns the JSON it printed.
json inChild(const std::function<json()> &work)
{
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        json out;
        try {
            out = work();
        } catch (const std::exception &e) {
            out = {{"error", e.what()}};
        }
        const auto text = out.dump();
        for (std::size_t done = 0; done < text.size();) {
            const auto n = write(fds[1], text.data() + done, text.size() - done);
            if (n <= 0)
                break;
            done += static_cast<std::size_t>(n);
        }
        _exit(0);
    }
    close(fds[1]);
    std::string reply;
    char buffer[4096];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
        reply.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (reply.empty())
        return {{"error", "the child process died"}};
    return json::parse(reply);
}

// Runs W1 with `n` messages on one backend, in a fresh child process;
// database files are made in `dir` and removed afterwards.
json runBackend(const std::string &backend, std::uint64_t n, const std::string &dir)
{
    const auto colon = backend.find(':');
    const std::string kind = backend.substr(0, colon);
    std::string target = colon == std::string::npos ? "" : backend.substr(colon + 1);
    std::vector<std::filesystem::path> files;
    if ((kind == "sqlite" || kind == "plain-sqlite") && target != ":memory:" && !target.empty()) {
        target = (std::filesystem::path(dir) / target).string();
        for (const char *suffix : {"", "-wal", "-shm"})
            files.emplace_back(target + suffix);
    }
    for (const auto &f : files)
        std::filesystem::remove(f);
    const auto result = inChild([&] {
#ifdef OSID_CPP_HAVE_POSTGRES
        // PostgreSQL: each run starts from an empty store; the database's
        // size stands in for the memory a server-side store takes.
        if (kind == "postgres" || kind == "plain-postgres") {
            w1::resetPostgres(target);
            auto store = kind == "postgres" ? w1::makeOsidBackend(backend) : w1::makePlainPostgresBackend(target);
            return runW1(*store, n, [&](json &out) {
                if (kind == "postgres")
                    w1::analyzePostgresProvider(target);
                out["memory"]["database bytes after P1"] = w1::postgresDatabaseBytes(target);
            });
        }
#endif
        auto store = kind == "plain-sqlite" ? w1::makePlainSqliteBackend(target)
                     : kind == "sqlite"     ? w1::makeOsidBackend("sqlite:" + target)
                                            : w1::makeOsidBackend(backend);
        return runW1(*store, n);
    });
    for (const auto &f : files)
        std::filesystem::remove(f);
    return result;
}

// The scaling series: each phase's cost per item at each size, so that one
// sees which costs stay flat and which grow.
int scalingReport(const std::vector<std::string> &backends, const std::vector<std::uint64_t> &sizes,
                  const std::string &dir)
{
    bool failed = false;
    fmt::print("W1 scaling: nanoseconds per item at each size (deletes: per message deleted)\n");
    for (const auto &backend : backends) {
        std::vector<json> results;
        for (auto n : sizes)
            results.push_back(runBackend(backend, n, dir));
        fmt::print("\n{}\n  {:<22}", backend, "phase");
        for (auto n : sizes)
            fmt::print(" {:>12}", n);
        fmt::print("\n");
        for (const auto &phase : kPhases) {
            fmt::print("  {:<22}", phase);
            for (const auto &r : results) {
                if (r.contains("error")) {
                    fmt::print(" {:>12}", "FAILED");
                    continue;
                }
                const auto &p = r["phases"][phase];
                fmt::print(" {:>12.0f}", p["seconds"].get<double>() * 1e9 / std::max(1.0, p["items"].get<double>()));
            }
            fmt::print("\n");
        }
        fmt::print("  {:<22}", "deleted by P4 / P5");
        for (const auto &r : results)
            if (!r.contains("error"))
                fmt::print(" {:>12}",
                           fmt::format("{}/{}", r["phases"]["P4 delete by sender"]["items"].get<std::uint64_t>(),
                                       r["phases"]["P5 delete by date"]["items"].get<std::uint64_t>()));
        fmt::print("\n  {:<22}", "bytes per message");
        for (const auto &r : results)
            if (!r.contains("error"))
                fmt::print(" {:>12.0f}", r["memory"]["bytes per message"].get<double>());
        fmt::print("\n");
        for (const auto &r : results)
            if (r.contains("error")) {
                fmt::print("  FAILED: {}\n", r["error"].get<std::string>());
                failed = true;
            }
    }
    return failed ? 1 : 0;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// A backend's items per second in a phase, the median of its runs.
using RateOf = std::function<std::optional<double>(const std::string &backend, const std::string &phase)>;
// A backend's speed in a phase as a multiple of a baseline's: the median of
// the ratios of the runs in which both ran, each backend beside its
// baseline, so that a drift of the machine's speed between runs cancels.
using RatioOf =
    std::function<std::optional<double>(const std::string &backend, const std::string &base, const std::string &phase)>;

// The targets of issue 21 (docs/performance.md): per phase, the memory
// provider's rate and its ratio to plain SQLite in memory, and the SQLite
// provider's ratio to plain SQLite on a file. Beyond them, the floor: no
// phase of either provider slower than its plain baseline.
struct Target {
    std::vector<std::string> phases;
    double memoryRate;
    double memoryRatio;
    double sqliteRatio;
};
const std::vector<Target> kTargets = {
    {{"P1 create"}, 500'000, 6, 4},
    {{"P2 update"}, 300'000, 3, 1},
    {{"P3 alias", "P3r re-point"}, 1'000'000, 3, 1},
    {{"P4 delete by sender", "P5 delete by date"}, 2'000'000, 10, 2},
    {{"P6 lookup"}, 1'000'000, 3, 1},
    {{"P7 delete all"}, 2'000'000, 3, 1},
};
constexpr double kTargetBytesPerMessage = 450;

// Prints the target table for the backends of this run that it needs
// (a cell is "-" when its backend or baseline did not run); returns how
// many targets were missed.
int targetReport(const RateOf &rate, const RatioOf &ratioOf, const std::optional<std::string> &memory,
                 const std::optional<std::string> &plainMemory, const std::optional<std::string> &sqliteFile,
                 const std::optional<std::string> &plainFile, std::optional<double> memoryBytesPerMessage)
{
    int missed = 0;
    auto get = [&](const std::optional<std::string> &backend, const std::string &phase) -> std::optional<double> {
        return backend ? rate(*backend, phase) : std::nullopt;
    };
    auto cell = [&](std::optional<double> value, double target, bool isRatio) {
        if (!value)
            return std::string("-");
        const bool met = *value >= target;
        missed += met ? 0 : 1;
        return isRatio ? fmt::format("{:.2f} (>= {:g}) {}", *value, target, met ? "met" : "MISSED")
                       : fmt::format("{:.0f} (>= {:.0f}) {}", *value, target, met ? "met" : "MISSED");
    };
    auto ratio = [&](const std::optional<std::string> &backend, const std::optional<std::string> &base,
                     const std::string &phase) -> std::optional<double> {
        return backend && base ? ratioOf(*backend, *base, phase) : std::nullopt;
    };
    fmt::print("\nTargets (issue 21; ratios against plain SQLite measured in this run)\n");
    fmt::print("  {:<22} {:>30} {:>26} {:>26}\n", "phase", "memory items/s",
               "memory × plain :memory:", "sqlite × plain file");
    for (const auto &t : kTargets)
        for (const auto &phase : t.phases)
            fmt::print("  {:<22} {:>30} {:>26} {:>26}\n", phase, cell(get(memory, phase), t.memoryRate, false),
                       cell(ratio(memory, plainMemory, phase), t.memoryRatio, true),
                       cell(ratio(sqliteFile, plainFile, phase), t.sqliteRatio, true));
    std::string bytes = "-";
    if (memory && memoryBytesPerMessage) {
        const bool met = *memoryBytesPerMessage <= kTargetBytesPerMessage;
        missed += met ? 0 : 1;
        bytes = fmt::format("{:.0f} (<= {:.0f}) {}", *memoryBytesPerMessage, kTargetBytesPerMessage,
                            met ? "met" : "MISSED");
    }
    fmt::print("  {:<22} {:>30}\n", "bytes per message P1", bytes);
    // The floor: every phase at least as fast as its baseline.
    std::vector<std::string> slower;
    for (const auto &phase : kPhases) {
        if (auto r = ratio(memory, plainMemory, phase); r && *r < 1)
            slower.push_back(fmt::format("memory {} ({:.2f})", phase, *r));
        if (auto r = ratio(sqliteFile, plainFile, phase); r && *r < 1)
            slower.push_back(fmt::format("sqlite {} ({:.2f})", phase, *r));
    }
    if (slower.empty())
        fmt::print("  floor: no phase of either provider is slower than its plain baseline: met\n");
    else
        fmt::print("  floor: MISSED, slower than the plain baseline: {}\n", fmt::join(slower, ", "));
    missed += static_cast<int>(slower.size());
    return missed;
}

// The targets of issue 19 for the PostgreSQL provider, against the plain
// libpq baseline of the same run: P1 at least twice as fast, every other
// phase at least as fast. Returns how many were missed.
int postgresTargetReport(const RateOf &rate, const RatioOf &ratioOf, const std::string &provider,
                         const std::string &plain)
{
    int missed = 0;
    fmt::print("\nTargets (issue 19; {} against {} in this run)\n", provider, plain);
    fmt::print("  {:<22} {:>12} {:>12} {:>22}\n", "phase", "provider/s", "plain/s", "ratio (target)");
    for (const auto &phase : kPhases) {
        const auto r = rate(provider, phase);
        const auto b = rate(plain, phase);
        const auto x = ratioOf(provider, plain, phase);
        if (!r || !b || !x)
            continue;
        const double target = phase == "P1 create" ? 2 : 1;
        const bool met = *x >= target;
        missed += met ? 0 : 1;
        fmt::print("  {:<22} {:>12.0f} {:>12.0f} {:>22}\n", phase, *r, *b,
                   fmt::format("{:.2f} (>= {:g}) {}", *x, target, met ? "met" : "MISSED"));
    }
    return missed;
}

} // namespace

int main(int argc, char **argv)
{
    std::uint64_t n = 1'000'000;
    int runs = 1;
    std::string dir = ".";
    std::vector<std::string> backends;
    CLI::App app("Workload W1 through the OSID interfaces and against plain SQLite, in one run.");
    app.add_option("--messages", n, "messages (W1: 1000000; at least 100000)")->check(CLI::Range(100'000, 100'000'000));
    app.add_option("--runs", runs, "rounds of runs, each backend once per round in a fresh process; medians are shown")
        ->check(CLI::Range(1, 99));
    app.add_option("--dir", dir, "where database files are made (removed afterwards)")->check(CLI::ExistingDirectory);
    std::string scalingSizes;
    app.add_option("--scaling", scalingSizes,
                   "SIZE,SIZE,...: instead of one W1 run, each backend at each size, as costs per item");
    app.add_option("backends", backends,
                   "implementation strings, plain-sqlite::memory:, plain-sqlite:FILE or plain-postgres:CONNINFO");
    CLI11_PARSE(app, argc, argv);
    std::vector<std::uint64_t> scaling;
    for (std::size_t at = 0; !scalingSizes.empty() && at != std::string::npos;) {
        const auto comma = scalingSizes.find(',', at);
        const auto size = scalingSizes.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), value);
        if (ec != std::errc() || end != size.data() + size.size() || value < 100'000) {
            fmt::print(stderr, "--scaling: \"{}\" is not a size of at least 100000\n", size);
            return 2;
        }
        scaling.push_back(value);
        at = comma == std::string::npos ? comma : comma + 1;
    }
    if (!scaling.empty())
        return scalingReport(backends.empty() ? std::vector<std::string>{"memory"} : backends, scaling, dir);
    if (backends.empty())
        // Each provider next to its baseline (see RatioOf).
        backends = {"memory", "plain-sqlite::memory:", "sqlite:w1-provider.db", "plain-sqlite:w1-plain.db"};

    // Every other run goes through the backends backwards, so that within
    // a pair of neighbours each runs first as often as the other.
    std::map<std::string, std::vector<json>> results; // backend -> one result per run
    for (int run = 0; run < runs; ++run) {
        auto order = backends;
        if (run % 2 == 1)
            std::reverse(order.begin(), order.end());
        for (const auto &backend : order)
            results[backend].push_back(runBackend(backend, n, dir));
    }

    // Medians per phase, and the baselines they are compared with.
    auto rateIn = [](const json &r, const std::string &phase) -> std::optional<double> {
        if (r.contains("error"))
            return std::nullopt;
        return r["phases"][phase]["items"].get<double>() / r["phases"][phase]["seconds"].get<double>();
    };
    RateOf rate = [&](const std::string &backend, const std::string &phase) -> std::optional<double> {
        std::vector<double> rates;
        for (const auto &r : results[backend])
            if (auto x = rateIn(r, phase))
                rates.push_back(*x);
        return rates.empty() ? std::nullopt : std::optional(median(rates));
    };
    RatioOf ratioOf = [&](const std::string &backend, const std::string &base,
                          const std::string &phase) -> std::optional<double> {
        std::vector<double> ratios;
        for (int run = 0; run < runs; ++run) {
            const auto r = rateIn(results[backend][run], phase);
            const auto b = rateIn(results[base][run], phase);
            if (r && b)
                ratios.push_back(*r / *b);
        }
        return ratios.empty() ? std::nullopt : std::optional(median(ratios));
    };
    std::optional<std::string> plainMemory, plainFile;
    for (const auto &b : backends) {
        if (b == "plain-sqlite::memory:")
            plainMemory = b;
        else if (b.rfind("plain-sqlite:", 0) == 0)
            plainFile = b;
    }

    fmt::print("W1: {} messages, {} run(s) per backend; items/s per phase (median of the runs), ratios (median "
               "of the ratios of each round)\n",
               n, runs);
    bool failed = false;
    std::optional<json> reference;
    for (const auto &backend : backends) {
        fmt::print("\n{}\n", backend);
        const auto &first = results[backend].front();
        if (first.contains("error")) {
            fmt::print("  FAILED: {}\n", first["error"].get<std::string>());
            failed = true;
            continue;
        }
        fmt::print("  {:<22} {:>12} {:>18} {:>18}\n", "phase", "items/s", "× plain :memory:", "× plain file");
        for (const auto &phase : kPhases) {
            const auto r = rate(backend, phase);
            auto ratio = [&](const std::optional<std::string> &base) {
                const auto x = base ? ratioOf(backend, *base, phase) : std::nullopt;
                return x ? fmt::format("{:.2f}", *x) : std::string("-");
            };
            fmt::print("  {:<22} {:>12.0f} {:>18} {:>18}\n", phase, r.value_or(0), ratio(plainMemory),
                       ratio(plainFile));
        }
        const auto &memory = first["memory"];
        fmt::print("  memory: {:.0f} MiB peak after P1, {:.0f} bytes per message\n",
                   memory["peak after P1"].get<double>() / (1 << 20), memory["bytes per message"].get<double>());
        if (memory.contains("database bytes after P1"))
            fmt::print("  database: {:.0f} MiB after P1, {:.0f} bytes per message\n",
                       memory["database bytes after P1"].get<double>() / (1 << 20),
                       memory["database bytes after P1"].get<double>() / static_cast<double>(n));

        // Check values: W1's own at its size, otherwise agreement.
        const auto &checks = first["checks"];
        std::string verdict;
        if (n == 1'000'000) {
            verdict = checks == kW1CheckValues ? "match W1" : "DIFFER FROM W1";
            failed |= checks != kW1CheckValues;
        } else if (!reference) {
            reference = checks;
            verdict = "(reference for the other backends; W1 publishes values for N = 1,000,000 only)";
        } else {
            verdict = checks == *reference ? "agree with the first backend" : "DISAGREE with the first backend";
            failed |= checks != *reference;
        }
        fmt::print("  checks: {} {}\n", checks.dump(), verdict);
        for (const auto &r : results[backend])
            if (r.contains("checks") && r["checks"] != checks) {
                fmt::print("  checks differ between runs\n");
                failed = true;
            }
    }

    // The target table, when a provider and its baseline both ran.
    std::optional<std::string> memory, sqliteFile;
    std::optional<double> memoryBytes;
    for (const auto &b : backends) {
        if (results[b].front().contains("error"))
            continue;
        if (b == "memory") {
            memory = b;
            memoryBytes = results[b].front()["memory"]["bytes per message"].get<double>();
        } else if (b.rfind("sqlite:", 0) == 0 && b != "sqlite::memory:") {
            sqliteFile = b;
        }
    }
    if ((memory && plainMemory) || (sqliteFile && plainFile))
        targetReport(rate, ratioOf, memory, plainMemory, sqliteFile, plainFile, memoryBytes);
    std::optional<std::string> postgres, plainPostgres;
    for (const auto &b : backends) {
        if (results[b].front().contains("error"))
            continue;
        if (b.rfind("postgres:", 0) == 0)
            postgres = b;
        else if (b.rfind("plain-postgres:", 0) == 0)
            plainPostgres = b;
    }
    if (postgres && plainPostgres)
        postgresTargetReport(rate, ratioOf, *postgres, *plainPostgres);
    return failed ? 1 : 0;
}
