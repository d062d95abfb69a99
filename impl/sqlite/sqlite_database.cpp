#include "impl/sqlite/sqlite_database.h"

#include "impl/sqlite/sqlite_checkpointer.h"
#include "impl/sqlite/sqlite_schema.h"

#include <filesystem>
#include <unistd.h>

#include <fmt/format.h>

namespace osid::impl::sqlite {

namespace {

// WAL pages that start a background checkpoint (SQLite's automatic one
// starts at 1,000). More pages, fewer checkpoints: a page that several
// calls change in that time is copied once.
constexpr int kCheckpointPages = 4096;

} // namespace

Database::Database(const SqliteProviderOptions &options)
    : displayName_(options.path), busyTimeoutMilliseconds_(options.busyTimeoutMilliseconds),
      synchronous_(options.synchronous)
{
    if (options.path.empty())
        throw ConfigurationError("provider sqlite: the database path is empty");
    if (options.path == ":memory:") {
        // SQLite's own in-memory databases cannot let one connection read
        // while another holds an open transaction, which sessions need.
        // So ":memory:" is a private WAL database in a temporary file, on
        // /dev/shm (memory) where there is one, removed with the manager.
        static std::atomic<std::uint64_t> serial{0};
        const std::filesystem::path dir = ::access("/dev/shm", W_OK) == 0 ? std::filesystem::path("/dev/shm")
                                                                          : std::filesystem::temp_directory_path();
        filename_ = (dir / fmt::format("osid-cpp-{}-{}.db", ::getpid(), ++serial)).string();
        temporary_ = true;
    } else {
        // A plain path; a "file:" URI is read as SQLite reads one.
        filename_ = options.path;
    }
    auto first = connect();
    authority_ = openSchema(*first, displayName_, options.authority);
    // WAL: readers never block the writer, and a commit is one append.
    // Set once, when the file is made; it stays in the file.
    first->enableWal();
    checkpointer_ = std::make_unique<Checkpointer>(filename_, kCheckpointPages, busyTimeoutMilliseconds_);
    checkpointer_->watch(*first);
    idle_.give(std::move(first));
}

Database::~Database()
{
    // Connections first, then the checkpointer's: the last to close
    // checkpoints what is left and removes the -wal file.
    idle_.clear();
    checkpointer_.reset();
    if (temporary_) {
        std::error_code ignored;
        for (const char *suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(filename_ + suffix, ignored);
    }
}

std::unique_ptr<Connection> Database::connect() const
{
    auto connection = std::make_unique<Connection>(filename_, busyTimeoutMilliseconds_);
    connection->execute(synchronous_ == Synchronous::Full ? "PRAGMA synchronous = FULL"
                                                          : "PRAGMA synchronous = NORMAL");
    // 64 MiB of page cache (SQLite's default is 2 MiB): inserts touch the
    // time index at random places, and re-reading its pages from the OS
    // costs more than the memory.
    connection->execute("PRAGMA cache_size = -65536");
    if (checkpointer_)
        checkpointer_->watch(*connection);
    return connection;
}

std::unique_ptr<Connection> Database::acquire()
{
    if (auto connection = idle_.take())
        return connection;
    return connect();
}

void Database::release(std::unique_ptr<Connection> connection) noexcept
{
    connection->rollBack();
    idle_.give(std::move(connection));
}

} // namespace osid::impl::sqlite
