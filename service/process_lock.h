// osid::service::ProcessLock: the processing lock of one provider's message
// batches in a store (not installed).
//
// Whoever holds it runs the workers of that provider's batches: one byte of
// PATH.lock per provider (FNV-1a of its name), so workers of different
// providers work on one store side by side. The lock is an open file
// description's (F_OFD_SETLK), so two services of one process exclude each
// other too, and the system releases it when its holder goes away, a crash
// included.
//
// The SQLite store's processing lock (SqliteBatchStore::processingLock).
//
// Thread-safety: none; a holder calls it under its own mutex.

#pragma once

#include "service/batch_store.h"

#include <sys/types.h>

#include <string>

namespace osid::service {

class ProcessLock final : public ProcessingLock {
public:
    // The lock of `provider`'s batches in the store at `storePath`; not
    // taken yet.
    ProcessLock(const std::string &storePath, const std::string &provider);
    // Releases the lock, if held.
    ~ProcessLock() override;

    ProcessLock(const ProcessLock &) = delete;
    ProcessLock &operator=(const ProcessLock &) = delete;

    // Takes the lock without waiting; true if this object holds it (now, or
    // from before). False also when the lock file cannot be opened.
    bool tryLock() override;

    bool held() const noexcept { return held_; }

private:
    std::string path_;
    off_t offset_;
    int fd_ = -1;
    bool held_ = false;
};

} // namespace osid::service
