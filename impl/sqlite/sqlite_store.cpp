#include "impl/sqlite/sqlite_store.h"

#include "impl/common/snapshots.h"
#include "messaging/records/delivery_record.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

namespace osid::impl::sqlite {

namespace {

// What appendPart() writes for each byte of a part, as it is or
// lower-cased: the byte, or 0 for one the text form escapes (so the loop
// makes one test per byte).
struct PartBytes {
    char same[256];
    char lower[256];
};
constexpr PartBytes makePartBytes()
{
    PartBytes t{};
    for (int i = 0; i < 256; ++i) {
        const auto c = static_cast<char>(i);
        const bool escaped = c == '%' || c == ':' || c == '@' || i < 0x20 || i == 0x7f;
        t.same[i] = escaped ? '\0' : c;
        t.lower[i] = escaped ? '\0' : detail::asciiLower(c);
    }
    return t;
}
constexpr PartBytes kPartBytes = makePartBytes();

// Appends `part` in the text form of an Id, lower-cased first if asked.
// One pass over the usual part (nothing to escape), writing in place.
void appendPart(std::string &out, std::string_view part, bool lowerCase)
{
    const char *bytes = lowerCase ? kPartBytes.lower : kPartBytes.same;
    const auto start = out.size();
    out.resize(start + part.size());
    char *to = out.data() + start;
    for (char c : part) {
        const char b = bytes[static_cast<unsigned char>(c)];
        if (b == '\0') {
            // Rare: escape character by character.
            out.resize(start);
            for (char e : part) {
                const char one = lowerCase ? detail::asciiLower(e) : e;
                detail::appendEscaped(out, std::string_view(&one, 1));
            }
            return;
        }
        *to++ = b;
    }
}

// The form of an Id or Type that equality works on: authority and
// namespace compare without case, the identifier with it. `kind` ("I" or
// "T"), then the text form with authority and namespace lower-cased, built
// in one string.
template <class IdOrType>
void appendCanonical(std::string &out, char kind, const IdOrType &v)
{
    // An Id made with a key: its digits need no escape, and asking for its
    // identifier's text would make (and keep) a string of it.
    std::optional<std::uint64_t> key;
    if constexpr (std::is_same_v<IdOrType, Id>)
        key = v.madeWithKey();
    // Room for it, growing geometrically: aliasMessages() appends many
    // texts to one buffer.
    const auto needed = out.size() + v.getIdentifierNamespace().size() + (key ? 20 : v.getIdentifier().size()) +
                        v.getAuthority().size() + 3;
    if (needed > out.capacity())
        out.reserve(std::max(needed, 2 * out.capacity()));
    out += kind;
    appendPart(out, v.getIdentifierNamespace(), true);
    out += ':';
    if (key) {
        char digits[20];
        out.append(digits, std::to_chars(digits, digits + sizeof digits, *key).ptr);
    } else {
        appendPart(out, v.getIdentifier(), false);
    }
    out += '@';
    appendPart(out, v.getAuthority(), true);
}
template <class IdOrType>
std::string canonical(char kind, const IdOrType &v)
{
    std::string out;
    appendCanonical(out, kind, v);
    return out;
}
std::string canonicalId(const Id &id) { return canonical('I', id); }
std::string canonicalType(const Type &t) { return canonical('T', t); }

bool isDelivery(const MessageContent &c)
{
    for (const auto &t : c.recordTypes)
        if (t == messaging::records::deliveryRecordType())
            return true;
    return false;
}

// A statement on aliases, for each of the two tables that keep them
// (sqlite_schema.h). In `sql`, "$aliases" stands for the table, "$key"
// for the condition on its key, "$columns" for its key's columns and
// "$values" for their parameters: ?1 for the text or the number, and
// kSpaceParameter for a numbered alias's space. bind() binds them.
class AliasSql {
public:
    static constexpr int kSpaceParameter = 9;

    explicit AliasSql(std::string_view sql)
        : forTable_{withTable(sql, {"aliases", "alias = ?1", "alias", "?1"}),
                    withTable(sql, {"numbered_aliases", "number = ?1 AND space = ?9", "number, space", "?1, ?9"})}
    {
    }
    const char *operator[](bool numbered) const { return forTable_[numbered ? 1 : 0].c_str(); }

    template <class AliasKey>
    static void bind(Statement &statement, const AliasKey &key)
    {
        if (key.numbered)
            statement.bind(1, key.number).bind(kSpaceParameter, key.space);
        else
            statement.bind(1, key.text, false);
    }

private:
    static std::string withTable(std::string_view sql, const std::array<std::string_view, 4> &words)
    {
        static constexpr std::array<std::string_view, 4> kNames = {"$aliases", "$key", "$columns", "$values"};
        std::string out;
        while (!sql.empty()) {
            const auto name =
                std::find_if(kNames.begin(), kNames.end(), [&](std::string_view n) { return sql.starts_with(n); });
            if (name != kNames.end()) {
                out += words[static_cast<std::size_t>(name - kNames.begin())];
                sql.remove_prefix(name->size());
            } else {
                out += sql.front();
                sql.remove_prefix(1);
            }
        }
        return out;
    }
    std::string forTable_[2];
};

// How an alias upsert (?3 the mailbox) treats an existing alias: it is
// re-pointed if its message is in the mailbox (as the alias's row says, or
// else as the message's row says) or gone, and left alone if the message
// is in another mailbox.
constexpr const char *kRepointUnlessOtherMailbox =
    "ON CONFLICT ($columns) DO UPDATE SET message = excluded.message, mailbox = excluded.mailbox "
    "WHERE $aliases.mailbox = ?3 OR NOT EXISTS (SELECT 1 FROM messages WHERE message = $aliases.message AND mailbox "
    "<> ?3)";

// How many alias requests with known targets aliasMessages() sends in one
// multi-row upsert: a statement's own cost (its start, its end, its
// cursors) was most of a single-row upsert's.
constexpr std::size_t kAliasRun = 64;

// The multi-row upsert of kAliasRun aliases of one table: ?3 the mailbox,
// then for each row its key's parameters and its target.
std::string makeAliasRunSql(bool numbered)
{
    const int perRow = numbered ? 3 : 2;
    std::string sql = numbered ? "INSERT INTO numbered_aliases (number, space, message, mailbox) VALUES "
                               : "INSERT INTO aliases (alias, message, mailbox) VALUES ";
    for (std::size_t row = 0; row < kAliasRun; ++row) {
        const auto first = 4 + perRow * static_cast<int>(row);
        sql += row == 0 ? "(" : ", (";
        for (int p = 0; p < perRow; ++p)
            sql += fmt::format("?{}, ", first + p);
        sql += "?3)";
    }
    sql += ' ';
    sql += AliasSql(kRepointUnlessOtherMailbox)[numbered];
    return sql;
}
const char *aliasRunSql(bool numbered)
{
    static const std::string sql[2] = {makeAliasRunSql(false), makeAliasRunSql(true)};
    return sql[numbered ? 1 : 0].c_str();
}

// The columns content() and select() read, in readContent()'s order.
constexpr const char *kContentColumns =
    "genus_type, delivery, sent, sender, sending_agent, sent_time, received_time, content";

} // namespace

// ---------------------------------------------------------------------------
// SqliteStore: sections and transactions

SqliteStore::SqliteStore(std::shared_ptr<Database> database)
    : database_(std::move(database)), db_(database_->acquire()),
      messageSpace_(database_->authority(), kMessageNamespace), mailboxSpace_(database_->authority(), kMailboxNamespace)
{
}

SqliteStore::~SqliteStore() { database_->release(std::move(db_)); }

void SqliteStore::requireCallsAllowed() const
{
    if (transaction_ == SqlTransactionState::Prepared)
        throw IllegalState("the session's transaction is prepared: commit or abort it before further calls");
}

std::unique_ptr<transaction::Transaction> SqliteStore::startTransaction()
{
    if (transaction_ != SqlTransactionState::None)
        throw IllegalState("a transaction is already open on this session");
    // IMMEDIATE: take the write lock now, so that the transaction cannot
    // fail later because another connection wrote in between.
    db_->run("BEGIN IMMEDIATE");
    knownKeysChecked_ = false;
    // Abort rolls back to here, not past BEGIN, so that it can write the
    // key counter back before the write lock goes (abandonTransaction()).
    try {
        db_->run("SAVEPOINT osid_transaction");
    } catch (...) {
        db_->rollBack();
        throw;
    }
    transaction_ = SqlTransactionState::Active;
    // The transaction keeps the store (and its connection) alive.
    return std::make_unique<SqlTransaction<SqliteStore>>(shared_from_this());
}

void SqliteStore::readSection(const std::function<void(const StoreReader &)> &section)
{
    requireCallsAllowed();
    if (transaction_ != SqlTransactionState::None) {
        section(*this);
        return;
    }
    // One read transaction, so that every statement sees the same state.
    db_->run("BEGIN");
    try {
        section(*this);
    } catch (...) {
        db_->rollBack();
        throw;
    }
    db_->run("COMMIT");
}

void SqliteStore::writeSection(const std::function<void(StoreWriter &)> &section)
{
    requireCallsAllowed();
    const bool nested = transaction_ != SqlTransactionState::None;
    // An OSID transaction that SQLite rolled back by itself (after an I/O
    // error, a full disk, no memory) took this connection's own writes with
    // it, which PRAGMA data_version does not show: forget what they taught.
    if (nested && !db_->inTransaction())
        forgetCaches();
    db_->run(nested ? "SAVEPOINT batch_call" : "BEGIN IMMEDIATE");
    knownKeysChecked_ = false;
    try {
        section(*this);
        flushNextKey();
        db_->run(nested ? "RELEASE batch_call" : "COMMIT");
    } catch (...) {
        if (nested) {
            try {
                db_->execute("ROLLBACK TO batch_call; RELEASE batch_call");
            } catch (...) {
                // The savepoint is gone with the whole transaction.
            }
        } else {
            db_->rollBack();
        }
        nextKey_.reset();
        forgetCaches();
        throw;
    }
}

void SqliteStore::commitTransaction() { db_->run("COMMIT"); }

void SqliteStore::abandonTransaction() noexcept
{
    // The transaction's inserts are undone, but the keys they took stay
    // taken: a caller may hold Ids from before the abort, and a key is
    // never handed out twice. The counter as the transaction left it is
    // written back under the same write lock, so no other writer can take
    // those keys in between.
    std::optional<std::int64_t> next;
    try {
        next = db_->queryInteger("SELECT value FROM meta WHERE name = 'next_message'");
        db_->execute("ROLLBACK TO osid_transaction; RELEASE osid_transaction");
        if (next)
            db_->prepare("UPDATE meta SET value = max(CAST(value AS INTEGER), ?1) WHERE name = 'next_message'")
                .bind(1, *next)
                .run();
        db_->run("COMMIT");
    } catch (...) {
        // Not even the counter could be written (a full disk, a failed
        // commit): roll back everything. The floor below still keeps this
        // process's later inserts past the keys handed out.
        db_->rollBack();
    }
    if (next)
        database_->raiseKeyFloor(static_cast<MessageKey>(*next));
    forgetCaches();
}

void SqliteStore::forgetCaches() noexcept
{
    idHandles_.clear();
    typeHandles_.clear();
    names_.clear();
    ids_.clear();
    nextKey_.reset();
    knownKeys_.clear();
    aliasSpaces_.clear();
    lastSpace_ = 0;
}

KnownKeys &SqliteStore::currentKnownKeys()
{
    if (!knownKeysChecked_) {
        // Changes only when another connection commits.
        auto q = db_->prepare(hot_.dataVersion, "PRAGMA data_version");
        const auto version = q.step() ? q.integer(0) : -1;
        if (version != knownKeysVersion_ || version == -1)
            knownKeys_.clear();
        knownKeysVersion_ = version;
        knownKeysChecked_ = true;
    }
    return knownKeys_;
}

void SqliteStore::flushNextKey()
{
    if (!nextKey_)
        return;
    db_->prepare("UPDATE meta SET value = ?1 WHERE name = 'next_message'").bind(1, *nextKey_).run();
    nextKey_.reset();
}

// ---------------------------------------------------------------------------
// Names

std::optional<std::int64_t> SqliteStore::findName(const std::string &canonical) const
{
    auto q = db_->prepare(hot_.findName, "SELECT handle FROM names WHERE canonical = ?1");
    q.bind(1, canonical, false);
    if (!q.step())
        return std::nullopt;
    return q.integer(0);
}

std::int64_t SqliteStore::insertName(const std::string &canonical, const std::string &text)
{
    db_->prepare(hot_.insertName, "INSERT INTO names (canonical, text) VALUES (?1, ?2)")
        .bind(1, canonical, false)
        .bind(2, text, false)
        .run();
    return db_->lastInsertRowid();
}

std::optional<std::int64_t> SqliteStore::findId(const Id &id) const
{
    if (auto it = idHandles_.find(id); it != idHandles_.end())
        return it->second;
    auto handle = findName(canonicalId(id));
    if (handle)
        idHandles_.emplace(id, *handle);
    return handle;
}

std::optional<std::int64_t> SqliteStore::findType(const Type &type) const
{
    if (auto it = typeHandles_.find(type); it != typeHandles_.end())
        return it->second;
    auto handle = findName(canonicalType(type));
    if (handle)
        typeHandles_.emplace(type, *handle);
    return handle;
}

std::int64_t SqliteStore::internId(const Id &id)
{
    if (auto handle = findId(id))
        return *handle;
    const auto handle = insertName(canonicalId(id), id.toString());
    idHandles_.emplace(id, handle);
    return handle;
}

std::int64_t SqliteStore::internType(const Type &type)
{
    if (type.isNull())
        return 0;
    if (auto handle = findType(type))
        return *handle;
    const auto handle = insertName(canonicalType(type), type.toString());
    typeHandles_.emplace(type, handle);
    return handle;
}

const std::string &SqliteStore::nameText(std::int64_t handle) const
{
    if (auto it = names_.find(handle); it != names_.end())
        return it->second;
    auto q = db_->prepare(hot_.nameText, "SELECT text FROM names WHERE handle = ?1");
    q.bind(1, handle);
    if (!q.step())
        throw OperationFailed(fmt::format("the store refers to name {}, which it does not hold", handle));
    return names_.emplace(handle, q.text(0)).first->second;
}

Id SqliteStore::idOf(std::int64_t handle) const
{
    if (const Id *id = ids_.find(handle))
        return *id;
    return ids_.add(handle, Id::parse(nameText(handle)));
}

const std::string &SqliteStore::aliasText(const Id &aliasId) const
{
    // An alias call asks for the same Id's text two or three times (is it
    // taken, by which mailbox, set it): it is built once, into the same
    // buffer each time.
    if (!(lastAlias_ == aliasId)) {
        lastAliasText_.clear();
        appendCanonical(lastAliasText_, 'I', aliasId);
        lastAlias_ = aliasId;
    }
    return lastAliasText_;
}

namespace {

std::optional<std::uint64_t> aliasNumberOf(const Id &aliasId)
{
    if (const auto key = aliasId.madeWithKey())
        return key;
    return aliasNumber(aliasId.getIdentifier());
}

} // namespace

std::optional<std::int64_t> SqliteStore::findAliasSpace(const Id &aliasId) const
{
    // A call's aliases are mostly of one space: the last one is matched
    // on the strings as given, without building its text.
    if (lastSpace_ != 0 && aliasId.getIdentifierNamespace() == lastSpaceNamespace_ &&
        aliasId.getAuthority() == lastSpaceAuthority_)
        return lastSpace_;
    spaceText_.clear();
    appendPart(spaceText_, aliasId.getIdentifierNamespace(), true);
    spaceText_ += '@';
    appendPart(spaceText_, aliasId.getAuthority(), true);
    std::int64_t space = 0;
    if (auto it = aliasSpaces_.find(spaceText_); it != aliasSpaces_.end()) {
        space = it->second;
    } else {
        auto q = db_->prepare(hot_.findAliasSpace, "SELECT space FROM alias_spaces WHERE canonical = ?1");
        q.bind(1, spaceText_, false);
        if (!q.step())
            return std::nullopt;
        space = aliasSpaces_.emplace(spaceText_, q.integer(0)).first->second;
    }
    lastSpaceNamespace_ = aliasId.getIdentifierNamespace();
    lastSpaceAuthority_ = aliasId.getAuthority();
    lastSpace_ = space;
    return space;
}

std::optional<SqliteStore::AliasKey> SqliteStore::findAliasKey(const Id &aliasId) const
{
    const auto number = aliasNumberOf(aliasId);
    if (!number)
        return AliasKey{false, 0, 0, aliasText(aliasId)};
    const auto space = findAliasSpace(aliasId);
    if (!space)
        return std::nullopt;
    return AliasKey{true, storedAliasNumber(*number), *space, {}};
}

SqliteStore::AliasKey SqliteStore::makeAliasKey(const Id &aliasId)
{
    const auto number = aliasNumberOf(aliasId);
    if (!number)
        return AliasKey{false, 0, 0, aliasText(aliasId)};
    auto space = findAliasSpace(aliasId);
    if (!space) {
        // findAliasSpace() left the space's text in spaceText_.
        db_->prepare("INSERT INTO alias_spaces (canonical) VALUES (?1)").bind(1, spaceText_, false).run();
        space = aliasSpaces_.emplace(spaceText_, db_->lastInsertRowid()).first->second;
    }
    return AliasKey{true, storedAliasNumber(*number), *space, {}};
}

// ---------------------------------------------------------------------------
// Mailboxes

std::optional<MailboxKey> SqliteStore::findMailbox(const Id &mailboxId) const
{
    auto key = mailboxSpace_.key(mailboxId);
    if (!key)
        return std::nullopt;
    auto q = db_->prepare("SELECT 1 FROM mailboxes WHERE mailbox = ?1");
    q.bind(1, *key);
    return q.step() ? std::optional<MailboxKey>(*key) : std::nullopt;
}

std::vector<MailboxKey> SqliteStore::mailboxes() const
{
    std::vector<MailboxKey> out;
    auto q = db_->prepare("SELECT mailbox FROM mailboxes ORDER BY mailbox");
    while (q.step())
        out.push_back(static_cast<MailboxKey>(q.integer(0)));
    return out;
}

std::shared_ptr<messaging::Mailbox> SqliteStore::mailbox(MailboxKey mailbox) const
{
    auto q = db_->prepare("SELECT display_name, description, genus_type FROM mailboxes WHERE mailbox = ?1");
    q.bind(1, mailbox);
    if (!q.step())
        throw OperationFailed(fmt::format("mailbox {} is missing from the store", mailbox));
    const auto genus = q.textView(2);
    return std::make_shared<MailboxSnapshot>(
        ObjectFields{mailboxSpace_.id(mailbox), q.text(0), q.text(1), genus.empty() ? Type() : Type::parse(genus), {}});
}

MailboxKey SqliteStore::createMailbox(const std::string &displayName, const std::string &description,
                                      const Type &genusType)
{
    db_->prepare("INSERT INTO mailboxes (display_name, description, genus_type) VALUES (?1, ?2, ?3)")
        .bind(1, displayName)
        .bind(2, description)
        .bind(3, genusType.isNull() ? std::string() : genusType.toString())
        .run();
    return static_cast<MailboxKey>(db_->lastInsertRowid());
}

// ---------------------------------------------------------------------------
// Messages

Id SqliteStore::messageId(MessageKey key) const { return messageSpace_.id(key); }

bool SqliteStore::isPrimarySpace(const Id &id) const { return messageSpace_.contains(id); }

std::optional<MessageKey> SqliteStore::resolve(MailboxKey mailbox, const Id &messageId) const
{
    std::optional<MessageKey> key;
    if (isPrimarySpace(messageId)) {
        key = messageSpace_.key(messageId);
    } else if (const auto alias = findAliasKey(messageId)) {
        key = aliasTarget(*alias);
    }
    if (!key)
        return std::nullopt;
    auto q = db_->prepare(hot_.inMailbox, "SELECT 1 FROM messages WHERE message = ?1 AND mailbox = ?2");
    q.bind(1, *key).bind(2, mailbox);
    return q.step() ? key : std::nullopt;
}

std::optional<MessageKey> SqliteStore::aliasTarget(const AliasKey &alias) const
{
    static const AliasSql sql("SELECT message FROM $aliases WHERE $key");
    auto q = db_->prepare(hot_.findAlias[alias.numbered], sql[alias.numbered]);
    AliasSql::bind(q, alias);
    if (!q.step())
        return std::nullopt;
    return static_cast<MessageKey>(q.integer(0));
}

std::optional<MailboxKey> SqliteStore::aliasMailbox(const Id &aliasId) const
{
    const auto alias = findAliasKey(aliasId);
    if (!alias)
        return std::nullopt;
    static const AliasSql sql("SELECT m.mailbox FROM $aliases a JOIN messages m ON m.message = a.message "
                              "WHERE $key");
    auto q = db_->prepare(hot_.aliasMailbox[alias->numbered], sql[alias->numbered]);
    AliasSql::bind(q, *alias);
    if (!q.step())
        return std::nullopt;
    return static_cast<MailboxKey>(q.integer(0));
}

MessageContent SqliteStore::readContent(const Statement &row, int c) const
{
    MessageContent m;
    const auto packed = unpackContent(row.blobView(c + 7));
    m.displayName = packed.displayName;
    m.description = packed.description;
    if (auto genus = row.integer(c + 0); genus != 0)
        m.genusType = Type::parse(nameText(genus));
    if (row.integer(c + 1) != 0)
        m.recordTypes.push_back(messaging::records::deliveryRecordType());
    m.subject = packed.subject;
    m.text = packed.text;
    readDelivery(m, row, c, packed);
    return m;
}

template <class Out>
void SqliteStore::readDelivery(Out &out, const Statement &row, int c, const PackedContent &packed) const
{
    out.sent = row.integer(c + 2) != 0;
    if (!out.sent)
        return;
    out.senderId = idOf(row.integer(c + 3));
    out.sendingAgentId = idOf(row.integer(c + 4));
    out.sentTime = DateTime::fromMicroseconds(row.integer(c + 5));
    out.receivedTime = DateTime::fromMicroseconds(row.integer(c + 6));
    out.recipientIds.reserve(packed.recipientCount);
    auto handles = packed.recipients;
    for (std::size_t i = 0; i < packed.recipientCount; ++i)
        out.recipientIds.push_back(idOf(nextRecipient(handles)));
}

MessageView SqliteStore::readView(const Statement &row, int c) const
{
    MessageView v;
    const auto packed = unpackContent(row.blobView(c + 7));
    // The four strings share one block that the snapshot keeps. They lie
    // next to each other in the packed content, so one copy.
    const std::size_t total =
        packed.displayName.size() + packed.description.size() + packed.subject.size() + packed.text.size();
    if (total != 0) {
        // One allocation, the count and the bytes together.
        auto block = std::make_shared_for_overwrite<char[]>(total);
        std::memcpy(block.get(), packed.displayName.data(), total);
        const char *at = block.get();
        const std::string_view parts[4] = {packed.displayName, packed.description, packed.subject, packed.text};
        std::string_view *views[4] = {&v.displayName, &v.description, &v.subject, &v.text};
        for (int i = 0; i < 4; ++i) {
            *views[i] = std::string_view(at, parts[i].size());
            at += parts[i].size();
        }
        v.owner = std::move(block);
    }
    if (auto genus = row.integer(c + 0); genus != 0)
        v.genusType = Type::parse(nameText(genus));
    v.delivery = row.integer(c + 1) != 0;
    readDelivery(v, row, c, packed);
    return v;
}

MessageContent SqliteStore::content(MailboxKey mailbox, MessageKey key) const
{
    static const std::string sql =
        fmt::format("SELECT {} FROM messages WHERE message = ?1 AND mailbox = ?2", kContentColumns);
    auto q = db_->prepare(hot_.content, sql.c_str());
    q.bind(1, key).bind(2, mailbox);
    if (!q.step())
        throw OperationFailed(fmt::format("message {} is missing from the store", key));
    return readContent(q, 0);
}

std::shared_ptr<messaging::Message> SqliteStore::lookupMessage(MailboxKey mailbox, const Id &messageId)
{
    requireCallsAllowed();
    // One statement sees one consistent state by itself, so it needs no
    // BEGIN ... COMMIT of its own (inside an OSID transaction it is part
    // of that transaction).
    return translatingErrors([&] { return lookup(mailbox, messageId); });
}

std::shared_ptr<messaging::Message> SqliteStore::lookup(MailboxKey mailbox, const Id &messageId) const
{
    std::shared_ptr<messaging::Message> out;
    findRow(mailbox, messageId, [&](MessageKey key, const Statement &row) {
        out = MessageSnapshot::make(this->messageId(key), readView(row, 1));
    });
    return out;
}

std::optional<KeyedContent> SqliteStore::find(MailboxKey mailbox, const Id &messageId) const
{
    std::optional<KeyedContent> out;
    findRow(mailbox, messageId, [&](MessageKey key, const Statement &row) { out.emplace(key, readContent(row, 1)); });
    return out;
}

void SqliteStore::findRow(MailboxKey mailbox, const Id &messageId,
                          const std::function<void(MessageKey, const Statement &)> &read) const
{
    // One statement: the row, found by key or through the alias, read in
    // the same B-tree search that checks the mailbox.
    static const std::string byKey =
        fmt::format("SELECT message, {} FROM messages WHERE message = ?1 AND mailbox = ?2", kContentColumns);
    static const AliasSql byAlias(
        fmt::format("SELECT m.message, {} FROM $aliases AS a JOIN messages AS m ON m.message = a.message "
                    "WHERE $key AND m.mailbox = ?2",
                    kContentColumns));
    std::optional<std::uint64_t> key;
    std::optional<AliasKey> alias;
    if (isPrimarySpace(messageId)) {
        if (!(key = messageSpace_.key(messageId)))
            return;
    } else if (!(alias = findAliasKey(messageId))) {
        return;
    }
    auto q = key ? db_->prepare(hot_.lookupByKey, byKey.c_str())
                 : db_->prepare(hot_.lookupByAlias[alias->numbered], byAlias[alias->numbered]);
    if (key)
        q.bind(1, *key);
    else
        AliasSql::bind(q, *alias);
    q.bind(2, mailbox);
    if (q.step())
        read(static_cast<MessageKey>(q.integer(0)), q);
}

std::vector<KeyedContent> SqliteStore::select(MailboxKey mailbox, const MessageQuery &query) const
{
    std::string where = "mailbox = ?1";
    std::vector<std::int64_t> values{static_cast<std::int64_t>(mailbox)};
    auto require = [&](const std::string &condition, std::int64_t value) {
        values.push_back(value);
        where += fmt::format(" AND {} ?{}", condition, values.size());
    };
    if (query.genusType) {
        auto handle = findType(*query.genusType);
        if (!handle)
            return {};
        require("genus_type =", *handle);
    }
    if (query.deliveryRecordOnly)
        where += " AND delivery = 1";
    if (query.sent)
        require("sent =", *query.sent ? 1 : 0);
    if (query.sender) {
        auto handle = findId(*query.sender);
        if (!handle)
            return {};
        require("sent = 1 AND sender =", *handle);
    }
    std::optional<std::int64_t> recipient;
    if (query.recipient) {
        recipient = findId(*query.recipient);
        if (!recipient)
            return {};
        where += " AND sent = 1";
    }
    if (query.sentTime) {
        require("sent = 1 AND sent_time >=", query.sentTime->first.toMicroseconds());
        require("sent_time <=", query.sentTime->second.toMicroseconds());
    }
    if (query.receivedTime) {
        require("sent = 1 AND received_time >=", query.receivedTime->first.toMicroseconds());
        require("received_time <=", query.receivedTime->second.toMicroseconds());
    }
    auto q = db_->prepare(fmt::format("SELECT message, {} FROM messages WHERE {} ORDER BY {}message", kContentColumns,
                                      where, query.orderBySentTime ? "sent_time, " : ""));
    for (std::size_t i = 0; i < values.size(); ++i)
        q.bind(static_cast<int>(i + 1), values[i]);
    std::vector<KeyedContent> out;
    while (q.step()) {
        auto content = readContent(q, 1);
        if (recipient) {
            const Id &wanted = idOf(*recipient);
            if (std::find(content.recipientIds.begin(), content.recipientIds.end(), wanted) ==
                content.recipientIds.end())
                continue;
        }
        out.emplace_back(static_cast<MessageKey>(q.integer(0)), std::move(content));
    }
    return out;
}

std::vector<MessageKey> SqliteStore::keys(const std::string &sql, MailboxKey mailbox,
                                          const std::function<void(Statement &)> &bind) const
{
    auto q = db_->prepare(sql);
    q.bind(1, mailbox);
    bind(q);
    std::vector<MessageKey> out;
    while (q.step())
        out.push_back(static_cast<MessageKey>(q.integer(0)));
    return out;
}

std::vector<MessageKey> SqliteStore::allKeys(MailboxKey mailbox) const
{
    return keys("SELECT message FROM messages WHERE mailbox = ?1 ORDER BY message", mailbox, [](Statement &) {});
}

std::vector<MessageKey> SqliteStore::keysFromSender(MailboxKey mailbox, const Id &sender) const
{
    auto handle = findId(sender);
    if (!handle)
        return {};
    return keys("SELECT message FROM messages WHERE mailbox = ?1 AND sender = ?2 AND sent = 1", mailbox,
                [&](Statement &q) { q.bind(2, *handle); });
}

std::vector<MessageKey> SqliteStore::keysReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) const
{
    return keys("SELECT message FROM messages WHERE mailbox = ?1 AND received_time BETWEEN ?2 AND ?3 AND sent = 1",
                mailbox, [&](Statement &q) { q.bind(2, from.toMicroseconds()).bind(3, to.toMicroseconds()); });
}

const std::string &SqliteStore::packedContent(const MessageContent &c)
{
    // The handles are interned first: interning runs statements of its own.
    recipientHandles_.clear();
    if (c.sent)
        for (const auto &r : c.recipientIds)
            recipientHandles_.push_back(internId(r));
    packed_.clear();
    packContent(packed_, c.displayName, c.description, c.subject, c.text, recipientHandles_);
    return packed_;
}

void SqliteStore::bindContent(Statement &s, const MessageContent &c)
{
    // Parameters 3..10, in the column order of the messages table.
    s.bind(3, internType(c.genusType)).bind(4, std::int64_t{isDelivery(c) ? 1 : 0});
    s.bind(5, std::int64_t{c.sent ? 1 : 0});
    if (c.sent) {
        s.bind(6, internId(c.senderId)).bind(7, internId(c.sendingAgentId));
        s.bind(8, c.sentTime.toMicroseconds()).bind(9, c.receivedTime.toMicroseconds());
    } else {
        s.bindNull(6).bindNull(7).bindNull(8).bindNull(9);
    }
    // packed_ stays as it is until the statement has run.
    s.bindBlob(10, packedContent(c), false);
}

MessageKey SqliteStore::insert(MailboxKey mailbox, const MessageContent &content)
{
    if (!nextKey_)
        nextKey_ = std::max(static_cast<MessageKey>(
                                db_->queryInteger("SELECT value FROM meta WHERE name = 'next_message'").value_or(1)),
                            database_->keyFloor());
    const MessageKey key = *nextKey_;
    auto s = db_->prepare(hot_.insert, "INSERT INTO messages VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    s.bind(1, key).bind(2, mailbox);
    bindContent(s, content);
    s.run();
    ++*nextKey_;
    currentKnownKeys().add(mailbox, key);
    return key;
}

void SqliteStore::replace(MailboxKey mailbox, MessageKey key, const MessageContent &previous, const MessageContent &c)
{
    // Only the columns that change are written: an update of the text
    // then leaves the sender and time indexes alone.
    std::string sets;
    std::vector<std::function<void(Statement &, int)>> binds;
    auto change = [&](const char *column, std::function<void(Statement &, int)> bind) {
        sets += fmt::format("{}{} = ?{}", sets.empty() ? "" : ", ", column, binds.size() + 3);
        binds.push_back(std::move(bind));
    };
    // The packed parts are written together when any of them changes.
    if (c.displayName != previous.displayName || c.description != previous.description ||
        c.subject != previous.subject || c.text != previous.text || c.sent != previous.sent ||
        (c.sent && c.recipientIds != previous.recipientIds))
        change("content", [&](Statement &st, int i) { st.bindBlob(i, packedContent(c), false); });
    if (c.genusType != previous.genusType)
        change("genus_type", [&](Statement &st, int i) { st.bind(i, internType(c.genusType)); });
    if (isDelivery(c) != isDelivery(previous))
        change("delivery", [&](Statement &st, int i) { st.bind(i, std::int64_t{isDelivery(c) ? 1 : 0}); });
    // Delivery columns: NULL for a draft.
    const bool flipped = c.sent != previous.sent;
    auto delivery = [&](const char *column, bool differs, std::function<void(Statement &, int)> bind) {
        if (flipped || (c.sent && differs))
            change(
                column, c.sent ? std::move(bind) : [](Statement &st, int i) { st.bindNull(i); });
    };
    if (flipped)
        change("sent", [&](Statement &st, int i) { st.bind(i, std::int64_t{c.sent ? 1 : 0}); });
    delivery("sender", c.senderId != previous.senderId,
             [&](Statement &st, int i) { st.bind(i, internId(c.senderId)); });
    delivery("sending_agent", c.sendingAgentId != previous.sendingAgentId,
             [&](Statement &st, int i) { st.bind(i, internId(c.sendingAgentId)); });
    delivery("sent_time", c.sentTime != previous.sentTime,
             [&](Statement &st, int i) { st.bind(i, c.sentTime.toMicroseconds()); });
    delivery("received_time", c.receivedTime != previous.receivedTime,
             [&](Statement &st, int i) { st.bind(i, c.receivedTime.toMicroseconds()); });
    if (binds.empty())
        return;
    auto st = db_->prepare(fmt::format("UPDATE messages SET {} WHERE message = ?1 AND mailbox = ?2", sets));
    st.bind(1, key).bind(2, mailbox);
    for (std::size_t i = 0; i < binds.size(); ++i)
        binds[i](st, static_cast<int>(i + 3));
    st.run();
}

void SqliteStore::erase(MailboxKey mailbox, MessageKey key)
{
    // Before the row goes: if the DELETE fails, the set knows less, never more.
    knownKeys_.remove(mailbox, key);
    db_->prepare(hot_.erase, "DELETE FROM messages WHERE message = ?1 AND mailbox = ?2")
        .bind(1, key)
        .bind(2, mailbox)
        .run();
}

std::vector<MessageKey> SqliteStore::eraseAll(MailboxKey mailbox)
{
    // The keys come from an index (mailbox first, so it covers the query).
    knownKeys_.clear(mailbox);
    auto erased = keys("SELECT message FROM messages WHERE mailbox = ?1", mailbox, [](Statement &) {});
    if (erased.empty())
        return erased;
    // One statement. If no other mailbox holds messages, it has no WHERE
    // clause, so SQLite frees the table's and indexes' pages whole rather
    // than deleting row by row.
    bool others = false;
    {
        auto q = db_->prepare("SELECT EXISTS (SELECT 1 FROM messages WHERE mailbox < ?1) OR "
                              "EXISTS (SELECT 1 FROM messages WHERE mailbox > ?1)");
        q.bind(1, mailbox);
        others = q.step() && q.integer(0) != 0;
    }
    if (others)
        db_->prepare("DELETE FROM messages WHERE mailbox = ?1").bind(1, mailbox).run();
    else
        db_->run("DELETE FROM messages");
    return erased;
}

void SqliteStore::setAlias(const Id &aliasId, MessageKey key)
{
    static const AliasSql sql(
        "INSERT INTO $aliases ($columns, message, mailbox) "
        "VALUES ($values, ?2, (SELECT mailbox FROM messages WHERE message = ?2)) "
        "ON CONFLICT ($columns) DO UPDATE SET message = excluded.message, mailbox = excluded.mailbox");
    const auto alias = makeAliasKey(aliasId);
    auto q = db_->prepare(hot_.setAlias[alias.numbered], sql[alias.numbered]);
    AliasSql::bind(q, alias);
    q.bind(2, key).run();
}

AliasOutcome SqliteStore::aliasMessage(MailboxKey mailbox, const Id &referenceId, const Id &aliasId)
{
    // The usual case (a primary Id as the reference, an alias of another
    // space) in one statement: the target is looked up in the mailbox, and
    // an existing alias is re-pointed unless its message is in another
    // mailbox. A row changed means it was set.
    std::optional<std::uint64_t> key;
    if (isPrimarySpace(referenceId) && !isPrimarySpace(aliasId) && (key = messageSpace_.key(referenceId))) {
        static const AliasSql sql(fmt::format(
            "INSERT INTO $aliases ($columns, message, mailbox) SELECT $values, message, mailbox FROM messages "
            "WHERE message = ?2 AND mailbox = ?3 {}",
            kRepointUnlessOtherMailbox));
        const auto alias = makeAliasKey(aliasId);
        auto q = db_->prepare(hot_.aliasMessage[alias.numbered], sql[alias.numbered]);
        AliasSql::bind(q, alias);
        q.bind(2, *key).bind(3, mailbox).run();
        if (db_->changes() == 1) {
            // The target was found, so it is known from now on.
            currentKnownKeys().add(mailbox, *key);
            return AliasOutcome::Set;
        }
    }
    // Otherwise, or when nothing changed, the checks one by one, which
    // say why.
    return StoreWriter::aliasMessage(mailbox, referenceId, aliasId);
}

AliasOutcome SqliteStore::aliasKnownTarget(MailboxKey mailbox, const Id &referenceId, const Id &aliasId,
                                           const AliasKey &alias, MessageKey target)
{
    static const AliasSql sql(fmt::format(
        "INSERT INTO $aliases ($columns, message, mailbox) VALUES ($values, ?2, ?3) {}", kRepointUnlessOtherMailbox));
    auto q = db_->prepare(hot_.aliasKnownTarget[alias.numbered], sql[alias.numbered]);
    AliasSql::bind(q, alias);
    q.bind(2, target).bind(3, mailbox).run();
    if (db_->changes() == 1)
        return AliasOutcome::Set;
    // The alias names a message of another mailbox: the checks one by
    // one say so.
    return StoreWriter::aliasMessage(mailbox, referenceId, aliasId);
}

std::vector<AliasOutcome> SqliteStore::aliasMessages(MailboxKey mailbox,
                                                     const std::vector<transaction::batch::AliasRequest> &requests)
{
    // When every reference is a primary Id, the requests depend on each
    // other only through their aliases: a request's target and the
    // alias's space do not change in the call. So they run in the order of
    // the aliases' keys (a stable order: requests for the same alias keep
    // theirs), and consecutive upserts land on the same pages of the
    // aliases' B-trees. A reference through an alias may depend on an
    // earlier request: then one by one, in order.
    const auto skipped = [](const transaction::batch::AliasRequest &r) {
        return r.getReferenceId().isNull() || r.getAliasId().isNull();
    };
    for (const auto &r : requests)
        if (!skipped(r) && !isPrimarySpace(r.getReferenceId()))
            return StoreWriter::aliasMessages(mailbox, requests);
    // Each alias's key, the texts in one buffer; an alias of the primary
    // space is refused whatever the order, and has no key.
    struct Request {
        std::size_t index;
        AliasKey key;
        std::size_t textOffset;
    };
    std::vector<Request> order;
    order.reserve(requests.size());
    std::string texts;
    std::vector<AliasOutcome> out(requests.size(), AliasOutcome::NullId);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto &aliasId = requests[i].getAliasId();
        if (skipped(requests[i]))
            continue;
        Request r{i, {}, texts.size()};
        if (!isPrimarySpace(aliasId)) {
            // A text key views aliasText()'s buffer, valid until the next
            // alias: kept in `texts`, viewed there once it stops growing.
            r.key = makeAliasKey(aliasId);
            if (!r.key.numbered)
                texts += r.key.text;
        }
        order.push_back(r);
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
        auto &key = order[i].key;
        if (!key.numbered) {
            const auto end = i + 1 < order.size() ? order[i + 1].textOffset : texts.size();
            key.text = std::string_view(texts).substr(order[i].textOffset, end - order[i].textOffset);
        }
    }
    // The order of each table's B-tree (numbered ones by number, then
    // space), and requests for one alias in theirs.
    std::sort(order.begin(), order.end(), [](const Request &a, const Request &b) {
        if (a.key.numbered != b.key.numbered)
            return a.key.numbered;
        if (a.key.numbered) {
            if (a.key.number != b.key.number)
                return a.key.number < b.key.number;
            if (a.key.space != b.key.space)
                return a.key.space < b.key.space;
        } else if (const auto c = a.key.text.compare(b.key.text); c != 0) {
            return c < 0;
        }
        return a.index < b.index;
    });
    // Requests whose targets are known go kAliasRun at a time into one
    // upsert, in this order. A run holds one table's aliases, each alias
    // once, so that a row that does not name its target afterwards is a
    // request the upsert refused.
    auto &known = currentKnownKeys();
    std::vector<KnownTargetRequest> run;
    run.reserve(kAliasRun);
    const auto flush = [&] {
        aliasKnownTargets(mailbox, requests, run, out);
        run.clear();
    };
    for (const auto &r : order) {
        const auto &request = requests[r.index];
        const auto target = messageSpace_.key(request.getReferenceId());
        if (!target || !known.contains(mailbox, *target) || isPrimarySpace(request.getAliasId())) {
            flush();
            out[r.index] = aliasMessage(mailbox, request.getReferenceId(), request.getAliasId());
            continue;
        }
        if (!run.empty() && (run.back().key.numbered != r.key.numbered || sameAlias(run.back().key, r.key)))
            flush();
        run.push_back(KnownTargetRequest{r.index, r.key, *target});
        if (run.size() == kAliasRun)
            flush();
    }
    flush();
    return out;
}

bool SqliteStore::sameAlias(const AliasKey &a, const AliasKey &b)
{
    return a.numbered == b.numbered && (a.numbered ? a.number == b.number && a.space == b.space : a.text == b.text);
}

void SqliteStore::aliasKnownTargets(MailboxKey mailbox, const std::vector<transaction::batch::AliasRequest> &requests,
                                    const std::vector<KnownTargetRequest> &run, std::vector<AliasOutcome> &out)
{
    if (run.size() < kAliasRun) {
        for (const auto &r : run)
            out[r.index] = aliasKnownTarget(mailbox, requests[r.index].getReferenceId(), requests[r.index].getAliasId(),
                                            r.key, r.target);
        return;
    }
    const bool numbered = run.front().key.numbered;
    auto q = db_->prepare(hot_.aliasRun[numbered ? 1 : 0], aliasRunSql(numbered));
    q.bind(3, mailbox);
    int parameter = 4;
    for (const auto &r : run) {
        if (numbered) {
            q.bind(parameter, r.key.number).bind(parameter + 1, r.key.space);
            parameter += 2;
        } else {
            q.bind(parameter, r.key.text, false);
            parameter += 1;
        }
        q.bind(parameter, r.target);
        parameter += 1;
    }
    q.run();
    const bool allSet = db_->changes() == static_cast<std::int64_t>(run.size());
    for (const auto &r : run) {
        out[r.index] = AliasOutcome::Set;
        if (allSet)
            continue;
        // Refused rows still name a message of another mailbox: the checks
        // one by one say so.
        if (aliasTarget(r.key) != r.target)
            out[r.index] =
                StoreWriter::aliasMessage(mailbox, requests[r.index].getReferenceId(), requests[r.index].getAliasId());
    }
}

void SqliteStore::dropDanglingAliases()
{
    // No message left anywhere: every alias goes, its pages freed whole.
    if (db_->queryInteger("SELECT EXISTS (SELECT 1 FROM messages)").value_or(1) == 0) {
        db_->run("DELETE FROM aliases");
        db_->run("DELETE FROM numbered_aliases");
        return;
    }
    db_->execute("DELETE FROM aliases WHERE message NOT IN (SELECT message FROM messages); "
                 "DELETE FROM numbered_aliases WHERE message NOT IN (SELECT message FROM messages)");
}

} // namespace osid::impl::sqlite
