#include "service/process_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>

namespace osid::service {

namespace {

off_t lockOffset(const std::string &provider)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (const unsigned char c : provider) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return static_cast<off_t>(hash % (1ull << 30));
}

} // namespace

ProcessLock::ProcessLock(const std::string &storePath, const std::string &provider)
    : path_(storePath + ".lock"), offset_(lockOffset(provider))
{
}

ProcessLock::~ProcessLock()
{
    if (fd_ >= 0)
        ::close(fd_); // releases the lock
}

bool ProcessLock::tryLock()
{
    if (held_)
        return true;
    if (fd_ < 0)
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        return false;
    struct flock range {};
    range.l_type = F_WRLCK;
    range.l_whence = SEEK_SET;
    range.l_start = offset_;
    range.l_len = 1;
    held_ = ::fcntl(fd_, F_OFD_SETLK, &range) == 0;
    return held_;
}

} // namespace osid::service
