// API keys for `osid-batch serve`: a file of named keys, each kept only as
// the SHA-256 hash of its text, so that the file gives nobody a key.
//
// The file is text, one key per line, "NAME sha256:HEX" or "NAME
// sha256:HEX WORKSPACE" (the text of a mailbox Id: the key's workspace,
// MessageBatchService::workspace); lines starting with '#' and blank lines
// are ignored. A key's text is "osk_" and 43
// characters of base64url (32 random bytes); it is shown once, by add().
//
// Example:
//   ApiKeyFile keys("server.keys");
//   std::string key = keys.add("alice");   // print it; it is not kept
//   ApiKeyVerifier verifier("server.keys");
//   if (auto who = verifier.verify(key)) ...  // who->name == "alice"
//
// Thread-safety: ApiKeyFile is for one thread; ApiKeyVerifier::verify()
// may be called from any number of threads.

#pragma once

#include "osid/id.h"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osid::service {

struct ApiKey {
    std::string name;
    // "sha256:" and the lower-case hex of the SHA-256 of the key's text.
    std::string hash;
    // The workspace of the key's client: the text of its mailbox's Id;
    // empty for the default workspace.
    std::string workspace;
};

// Reads and changes a key file. Each change rewrites the file whole
// (a new file renamed over the old one, mode 0600) under an exclusive lock,
// so that two changes at once both land and a reader never sees half of
// one.
class ApiKeyFile {
public:
    explicit ApiKeyFile(std::filesystem::path path);

    // Creates a key named `name` for the workspace of the mailbox
    // `workspace` (the null Id: the default workspace) and returns its
    // text, which is not kept. The file is created if it does not exist.
    // Errors: ServiceError invalid_request_error when `name` is empty, has
    //         whitespace, starts with '#' or is taken; api_error when the
    //         file cannot be read or written.
    std::string add(const std::string &name, const Id &workspace = {});

    // Removes the key named `name`.
    // Errors: ServiceError not_found_error when there is none; api_error
    //         when the file cannot be read or written.
    void revoke(const std::string &name);

    // The keys, in the file's order; none when the file does not exist.
    // Errors: ServiceError api_error when it cannot be read or is not a key
    //         file (the line is named).
    std::vector<ApiKey> list() const;

private:
    std::filesystem::path path_;
};

// Checks keys a server is given against a key file. Reads the file again
// when it changes, so that `osid-batch keys add` and `revoke` take effect
// without a restart.
class ApiKeyVerifier {
public:
    // Errors: ServiceError api_error when the file cannot be read, is not a
    //         key file, or holds no key (a server would refuse everyone).
    explicit ApiKeyVerifier(std::filesystem::path path);

    // The key whose text is `presented`, or nothing. Compares hashes in
    // constant time. Fails closed: while the file is missing or is not a
    // key file, no key is accepted.
    std::optional<ApiKey> verify(std::string_view presented);

private:
    // What tells one content of the file from the next: a change renames
    // a new file (a new inode) over it.
    struct Version {
        std::uint64_t device = 0;
        std::uint64_t inode = 0;
        std::int64_t modifiedNanoseconds = 0;
        std::int64_t size = 0;
        bool operator==(const Version &) const = default;
    };
    std::optional<Version> versionOnDisk() const;

    std::filesystem::path path_;
    std::mutex mutex_;
    Version version_;
    std::vector<ApiKey> keys_;
};

// The hash ApiKey::hash holds for a key's text.
std::string apiKeyHash(std::string_view key);

} // namespace osid::service
