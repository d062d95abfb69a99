#include "service/api_keys.h"

#include "osid/errors.h"
#include "service/service_error.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace osid::service {

namespace {

constexpr std::string_view kKeyPrefix = "osk_";
constexpr std::string_view kHashPrefix = "sha256:";

[[noreturn]] void failWithErrno(const std::string &what)
{
    throw ServiceError(error_type::kApi, fmt::format("{}: {}", what, std::strerror(errno)));
}

// A new key's text: the prefix and 32 random bytes in base64url.
std::string newKeyText()
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw ServiceError(error_type::kApi, "no random bytes for a new key");
    std::string encoded(4 * ((sizeof bytes + 2) / 3), '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char *>(encoded.data()), bytes, static_cast<int>(sizeof bytes));
    encoded.resize(static_cast<std::size_t>(n));
    // base64url, without padding.
    while (!encoded.empty() && encoded.back() == '=')
        encoded.pop_back();
    for (auto &c : encoded)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    return std::string(kKeyPrefix) + encoded;
}

bool isHexDigest(std::string_view text)
{
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The keys of a key file's text; `origin` names the file in errors.
std::vector<ApiKey> parseKeys(const std::string &text, const std::string &origin)
{
    std::vector<ApiKey> keys;
    std::istringstream in(text);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream fields(line);
        ApiKey key;
        fields >> key.name >> key.hash >> std::ws;
        // The workspace is the rest of the line: an Id's text may hold spaces.
        std::getline(fields, key.workspace);
        bool wellFormed = !key.name.empty() && key.hash.rfind(kHashPrefix, 0) == 0 &&
                          isHexDigest(std::string_view(key.hash).substr(kHashPrefix.size()));
        if (wellFormed && !key.workspace.empty()) {
            try {
                Id::parse(key.workspace);
            } catch (const InvalidArgument &) {
                wellFormed = false;
            }
        }
        if (!wellFormed)
            throw ServiceError(error_type::kApi, fmt::format("{}:{}: not a key line: expected \"NAME sha256:HEX\" or "
                                                             "\"NAME sha256:HEX WORKSPACE\" (a mailbox Id)",
                                                             origin, number));
        keys.push_back(std::move(key));
    }
    return keys;
}

std::string readWhole(int fd, const std::string &origin)
{
    std::string text;
    char buffer[4096];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            failWithErrno("cannot read " + origin);
        }
        if (n == 0)
            return text;
        text.append(buffer, static_cast<std::size_t>(n));
    }
}

// An open key file, locked exclusively: the content a change starts from.
// Re-opens when another change renamed a new file over the one it locked,
// so that it always holds the lock on the file the path names.
class LockedFile {
public:
    explicit LockedFile(const std::filesystem::path &path) : path_(path)
    {
        for (;;) {
            fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
            if (fd_ < 0)
                failWithErrno("cannot open " + path.string());
            if (::flock(fd_, LOCK_EX) != 0) {
                ::close(fd_);
                failWithErrno("cannot lock " + path.string());
            }
            struct stat held {};
            struct stat named {};
            if (::fstat(fd_, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
                held.st_dev == named.st_dev)
                return;
            ::close(fd_);
        }
    }
    ~LockedFile() { ::close(fd_); }
    LockedFile(const LockedFile &) = delete;
    LockedFile &operator=(const LockedFile &) = delete;

    std::vector<ApiKey> keys() const { return parseKeys(readWhole(fd_, path_.string()), path_.string()); }

    // Replaces the file with `keys`: a new file, flushed, renamed over it.
    void replace(const std::vector<ApiKey> &keys) const
    {
        std::string text = "# osid-batch API keys: NAME sha256:HEX [WORKSPACE] (osid-batch keys add|list|revoke)\n";
        for (const auto &key : keys)
            text += key.workspace.empty() ? fmt::format("{} {}\n", key.name, key.hash)
                                          : fmt::format("{} {} {}\n", key.name, key.hash, key.workspace);
        const std::string temporary = path_.string() + ".new";
        const int out = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0)
            failWithErrno("cannot write " + temporary);
        std::size_t written = 0;
        while (written < text.size()) {
            const auto n = ::write(out, text.data() + written, text.size() - written);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                const int saved = errno;
                ::close(out);
                ::unlink(temporary.c_str());
                errno = saved;
                failWithErrno("cannot write " + temporary);
            }
            written += static_cast<std::size_t>(n);
        }
        if (::fsync(out) != 0 || ::close(out) != 0) {
            const int saved = errno;
            ::unlink(temporary.c_str());
            errno = saved;
            failWithErrno("cannot write " + temporary);
        }
        if (::rename(temporary.c_str(), path_.c_str()) != 0) {
            const int saved = errno;
            ::unlink(temporary.c_str());
            errno = saved;
            failWithErrno("cannot replace " + path_.string());
        }
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

void requireKeyName(const std::string &name)
{
    const bool valid = !name.empty() && name[0] != '#' && std::none_of(name.begin(), name.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    });
    if (!valid)
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("\"{}\" is not a key name: a name is not empty, has no whitespace and does "
                                       "not start with '#'",
                                       name));
}

} // namespace

std::string apiKeyHash(std::string_view key)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(key.data(), key.size(), digest, &size, EVP_sha256(), nullptr) != 1)
        throw ServiceError(error_type::kApi, "SHA-256 failed");
    std::string out(kHashPrefix);
    for (unsigned int i = 0; i < size; ++i)
        out += fmt::format("{:02x}", digest[i]);
    return out;
}

ApiKeyFile::ApiKeyFile(std::filesystem::path path) : path_(std::move(path)) {}

std::string ApiKeyFile::add(const std::string &name, const Id &workspace)
{
    requireKeyName(name);
    LockedFile file(path_);
    auto keys = file.keys();
    for (const auto &key : keys)
        if (key.name == name)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("{} already has a key named \"{}\"; revoke it first", path_.string(), name));
    auto text = newKeyText();
    keys.push_back({name, apiKeyHash(text), workspace.isNull() ? std::string() : workspace.toString()});
    file.replace(keys);
    return text;
}

void ApiKeyFile::revoke(const std::string &name)
{
    LockedFile file(path_);
    auto keys = file.keys();
    const auto before = keys.size();
    std::erase_if(keys, [&](const ApiKey &key) { return key.name == name; });
    if (keys.size() == before)
        throw ServiceError(error_type::kNotFound, fmt::format("{} has no key named \"{}\"", path_.string(), name));
    file.replace(keys);
}

std::vector<ApiKey> ApiKeyFile::list() const
{
    std::ifstream in(path_);
    if (!in) {
        if (!std::filesystem::exists(path_))
            return {};
        throw ServiceError(error_type::kApi, fmt::format("cannot read {}", path_.string()));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parseKeys(text.str(), path_.string());
}

ApiKeyVerifier::ApiKeyVerifier(std::filesystem::path path) : path_(std::move(path))
{
    const auto version = versionOnDisk();
    if (!version)
        failWithErrno("cannot read the API keys " + path_.string());
    keys_ = ApiKeyFile(path_).list();
    version_ = *version;
    if (keys_.empty())
        throw ServiceError(error_type::kApi, fmt::format("{} holds no key, so nobody could use the server; add one "
                                                         "with `osid-batch keys add NAME --file {}`",
                                                         path_.string(), path_.string()));
}

std::optional<ApiKeyVerifier::Version> ApiKeyVerifier::versionOnDisk() const
{
    struct stat s {};
    if (::stat(path_.c_str(), &s) != 0)
        return std::nullopt;
    return Version{static_cast<std::uint64_t>(s.st_dev), static_cast<std::uint64_t>(s.st_ino),
                   static_cast<std::int64_t>(s.st_mtim.tv_sec) * 1'000'000'000 + s.st_mtim.tv_nsec,
                   static_cast<std::int64_t>(s.st_size)};
}

std::optional<ApiKey> ApiKeyVerifier::verify(std::string_view presented)
{
    if (presented.rfind(kKeyPrefix, 0) != 0)
        return std::nullopt;
    const auto hash = apiKeyHash(presented);
    std::lock_guard lock(mutex_);
    const auto now = versionOnDisk();
    if (!now) {
        // The file is gone: nobody is let in (fail closed).
        keys_.clear();
        version_ = {};
    } else if (!(*now == version_)) {
        version_ = *now;
        try {
            keys_ = ApiKeyFile(path_).list();
        } catch (const ServiceError &) {
            // A file that is no longer a key file lets nobody in.
            keys_.clear();
        }
    }
    std::optional<ApiKey> found;
    for (const auto &key : keys_)
        if (key.hash.size() == hash.size() && CRYPTO_memcmp(key.hash.data(), hash.data(), hash.size()) == 0)
            found = key;
    return found;
}

} // namespace osid::service
