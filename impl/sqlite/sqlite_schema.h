// The SQLite provider's schema: its version history and how a file is
// brought to the current version.
//
// A file says what it is in two header fields: application_id (this
// provider's mark) and user_version (the schema version). Opening a file:
//   - empty: every step runs, creating the current schema;
//   - an older version: the missing steps run, in one transaction;
//   - the current version: nothing changes;
//   - a newer version, or another application's file: refused with
//     ConfigurationError, and the file is left exactly as it was.
//
// Versions:
//   1  mailboxes, messages, the names they refer to, aliases, counters.
//   2  indexes for deletes and lookups by sender and by received time.
//   3  a message's display name, description, subject, text and
//      recipients in one BLOB column, `content` (packContent() below).
//   4  aliases keep the mailbox of the message they name (NULL: unknown,
//      for an alias whose message was gone when the step ran).
//   5  numbered aliases (below) in a table of integer keys of their own,
//      `numbered_aliases`, with their spaces in `alias_spaces`.

#pragma once

#include "sqlite/connection.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace osid::impl::sqlite {

// The SQLite RAII layer (sqlite/connection.h), by its short names.
using ::osid::sqlite::Connection;
using ::osid::sqlite::Statement;

// "OSID" in ASCII.
constexpr std::int64_t kApplicationId = 0x4F534944;
constexpr int kSchemaVersion = 5;

// Brings the database to kSchemaVersion (see above) and returns the
// authority of its Ids: the one stored in the file, or `authority` for a
// new file. Raises ConfigurationError for a file this build must not
// touch, or when `authority` is given and differs from the stored one.
std::string openSchema(Connection &db, const std::string &filename, const std::string &authority);

// Runs the schema steps that take a database from version `from` to `to`,
// inside the caller's transaction. For openSchema() and the migration test.
void applySchemaSteps(Connection &db, int from, int to, const std::string &authority);

// Where an alias is kept. An alias Id whose identifier is an unsigned
// 64-bit number in decimal (no sign, no leading zero) is numbered: its
// space, the alias Id's namespace and authority, gets a handle in
// `alias_spaces` the first time one of its aliases is set, and it is kept
// in `numbered_aliases` under (number, space). Integers compare in a
// B-tree without the byte-by-byte work of text, and the text need not be
// built. Every other alias is kept in `aliases` under its canonical text.
//
// The number of a numbered alias with this identifier, if it is one.
std::optional<std::uint64_t> aliasNumber(std::string_view identifier);
// How `numbered_aliases` keeps a number: the same 64 bits, signed.
constexpr std::int64_t storedAliasNumber(std::uint64_t number) { return static_cast<std::int64_t>(number); }

// The parts of a message that no query searches on, as the `content`
// column keeps them. One column, because SQLite copies every text or BLOB
// column it reads into an allocation of its own (Debian's build has no
// lookaside memory): a lookup that read five text columns made five.
//
// Layout, each integer an unsigned LEB128 varint:
//   the byte lengths of the display name, description, subject and text;
//   the number of recipients;
//   the four strings' bytes, in that order;
//   each recipient's handle in `names`, in the message's order.
struct PackedContent {
    std::string_view displayName;
    std::string_view description;
    std::string_view subject;
    std::string_view text;
    std::size_t recipientCount = 0;
    // The recipients' handles, still packed: see nextRecipient().
    std::string_view recipients;
};

// Appends the packed form of these parts to `out`.
void packContent(std::string &out, std::string_view displayName, std::string_view description, std::string_view subject,
                 std::string_view text, std::span<const std::int64_t> recipients);

// The parts of a packed content, as views into `bytes`. Raises
// OperationFailed when `bytes` is not a packed content (a damaged file).
PackedContent unpackContent(std::string_view bytes);

// Takes the next recipient's handle off the front of `recipients` (from
// unpackContent(), which checked that it holds recipientCount of them).
std::int64_t nextRecipient(std::string_view &recipients);

} // namespace osid::impl::sqlite
