// The stores W1 runs against, each behind the same small interface in W1's
// own terms: message indexes (0..N-1, in creation order), W1 ids, alias
// keys, senders and times. A backend maps them to whatever it stores.

#pragma once

#include "bench/w1_data.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace w1 {

class Backend {
public:
    virtual ~Backend() = default;

    // P1: creates the messages, in order; returns how many were created.
    virtual std::uint64_t create(const std::vector<Message> &batch) = 0;
    // Untimed, after P1: how many messages the store holds.
    virtual std::uint64_t count() = 0;
    // P2: replaces the text of message `index`; returns how many changed.
    virtual std::uint64_t update(const std::vector<std::pair<std::uint64_t, std::string>> &texts) = 0;
    // P3, P3r: points alias `key` at message `index`; returns how many.
    virtual std::uint64_t alias(const std::vector<std::pair<std::uint64_t, std::uint64_t>> &keyToIndex) = 0;
    // P4, P5, P7: return how many messages were deleted. The time range
    // is half-open, [from, to).
    virtual std::uint64_t deleteBySender(std::uint64_t sender) = 0;
    virtual std::uint64_t deleteBySentTime(std::int64_t from, std::int64_t to) = 0;
    virtual std::uint64_t deleteAll() = 0;
    // P6: the digest of the whole message, or nothing for a miss.
    virtual std::optional<std::uint64_t> lookup(std::uint64_t index) = 0;
    virtual std::optional<std::uint64_t> lookupByAlias(std::uint64_t key) = 0;
};

// Through the OSID interfaces, on a provider the runtime can load.
std::unique_ptr<Backend> makeOsidBackend(const std::string &implementation);
// A plain SQLite schema keyed by the W1 ids: what a user would write.
std::unique_ptr<Backend> makePlainSqliteBackend(const std::string &path);

#ifdef OSID_CPP_HAVE_POSTGRES
// The same over libpq: plain tables w1_msg and w1_alias in the database
// `conninfo` names.
std::unique_ptr<Backend> makePlainPostgresBackend(const std::string &conninfo);
// Drops what either PostgreSQL backend made (the provider's schema, the
// plain tables), so that a run starts empty and the database's size is
// its own.
void resetPostgres(const std::string &conninfo);
// Untimed after P1, as W1 asks of PostgreSQL: VACUUM ANALYZE of the
// provider's messages table (the baseline does its own in count()).
void analyzePostgresProvider(const std::string &conninfo);
// The size of the database, for the memory line of a server-side store.
std::uint64_t postgresDatabaseBytes(const std::string &conninfo);
#endif

} // namespace w1
