#include "impl/postgres/postgres_store.h"

#include "impl/common/snapshots.h"
#include "messaging/records/delivery_record.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <unordered_map>

#include <fmt/format.h>

namespace osid::impl::postgres {

namespace {

// The most message keys one block takes from the sequence.
constexpr std::size_t kMaximumKeyBlock = 8192;

std::string lowerCase(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), detail::asciiLower);
    return s;
}

// The text form equality works on: authority and namespace compare without
// case, the identifier with it.
template <class IdOrType>
std::string canonical(const IdOrType &v)
{
    return IdOrType(lowerCase(v.getAuthority()), lowerCase(v.getIdentifierNamespace()), v.getIdentifier()).toString();
}

bool isDelivery(const MessageContent &c)
{
    return std::find(c.recordTypes.begin(), c.recordTypes.end(), messaging::records::deliveryRecordType()) !=
           c.recordTypes.end();
}

std::string recipientText(const std::vector<Id> &recipients)
{
    std::string out;
    for (const auto &r : recipients) {
        if (!out.empty())
            out += '\n';
        out += r.toString();
    }
    return out;
}

// The columns content() and select() read, in readContent()'s order.
constexpr const char *kContentColumns =
    "display_name, description, genus_type, delivery, subject, body, sent, sender, sending_agent, sent_time, "
    "received_time, recipients";

// The columns of the messages table, in order: the fields of each row of
// the COPY a section's creates make.
enum Column {
    kKey,
    kGeneration,
    kDisplayName,
    kDescription,
    kGenusType,
    kGenusKey,
    kDelivery,
    kSubject,
    kBody,
    kSent,
    kSender,
    kSenderKey,
    kSendingAgent,
    kSentTime,
    kReceivedTime,
    kRecipients,
    kColumns
};
// Each column's name and array type, in the order of Column.
constexpr const char *kColumnNames[kColumns] = {"message",       "generation", "display_name",  "description",
                                                "genus_type",    "genus_key",  "delivery",      "subject",
                                                "body",          "sent",       "sender",        "sender_key",
                                                "sending_agent", "sent_time",  "received_time", "recipients"};
constexpr const char *kColumnTypes[kColumns] = {"int8", "int8", "text", "text", "text", "text", "bool", "text",
                                                "text", "bool", "text", "text", "text", "int8", "int8", "text"};

// The COPY of a section's creates, every column in the order of Column.
std::string copyStatement()
{
    std::string columns;
    for (const char *name : kColumnNames)
        columns += fmt::format("{}{}", columns.empty() ? "" : ", ", name);
    return fmt::format("COPY osid_messaging.messages ({}) FROM STDIN (FORMAT binary)", columns);
}

// The current generation of the mailbox in parameter `parameter`, as an
// expression: the rows of a mailbox's messages are those of its current
// generation (schema step 4). In a write section the mailbox's lock
// (lockMailbox()) is taken before, so the statement sees the generation a
// delete of all left.
std::string generationOf(int parameter)
{
    return fmt::format("(SELECT generation FROM osid_messaging.mailboxes WHERE mailbox = ${})", parameter);
}

// The statement that takes a mailbox's lock (mailboxLockKey()'s
// parameters) with `function`, shared or exclusive.
std::string mailboxLock(const char *function)
{
    return fmt::format("SELECT {}($1, ($2::int8 & 2147483647)::int4)", function);
}

Params mailboxLockKey(MailboxKey mailbox) { return Params().add(std::int64_t{kMailboxLockClass}).add(mailbox); }

// Writes run READ COMMITTED, whatever the database's default: each
// statement's snapshot is taken when it starts, so a statement after a
// mailbox's lock sees what the lock waited for ("Deleting all").
constexpr const char *kBeginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED";

// Appends an element that needs no quotes (a number, a boolean, NULL).
void appendPlain(std::string &array, std::string_view value)
{
    if (array.size() > 1)
        array += ',';
    array += value;
}

// The content columns with the key in front, for a query that reads a
// message: "m.message, m.display_name, ...".
std::string qualifiedContentColumns()
{
    std::string out = "m.message";
    for (int c = kDisplayName; c < kColumns; ++c)
        if (c != kGenusKey && c != kSenderKey)
            out += fmt::format(", m.{}", kColumnNames[c]);
    return out;
}

} // namespace

// ---------------------------------------------------------------------------
// PostgresStore: sections and transactions

PostgresStore::PostgresStore(std::shared_ptr<Database> database)
    : database_(std::move(database)), db_(database_->acquire()),
      messageSpace_(database_->authority(), kMessageNamespace), mailboxSpace_(database_->authority(), kMailboxNamespace)
{
}

PostgresStore::~PostgresStore() { database_->release(std::move(db_)); }

void PostgresStore::requireCallsAllowed() const
{
    if (transaction_ == SqlTransactionState::Prepared)
        throw IllegalState("the session's transaction is prepared: commit or abort it before further calls");
}

void PostgresStore::reconnectIfBroken()
{
    // Inside an OSID transaction a lost connection lost the transaction
    // too: its calls fail until it ends.
    if (transaction_ == SqlTransactionState::None && db_->isBroken())
        db_->reconnect(database_->reconnectTimeout());
}

std::unique_ptr<transaction::Transaction> PostgresStore::startTransaction()
{
    if (transaction_ != SqlTransactionState::None)
        throw IllegalState("a transaction is already open on this session");
    translatingErrors([&] {
        reconnectIfBroken();
        db_->execute(kBeginWrite);
    });
    transaction_ = SqlTransactionState::Active;
    // The transaction keeps the store (and its connection) alive.
    return std::make_unique<SqlTransaction<PostgresStore>>(shared_from_this());
}

void PostgresStore::readSection(const std::function<void(const StoreReader &)> &section)
{
    requireCallsAllowed();
    if (transaction_ != SqlTransactionState::None) {
        section(*this);
        return;
    }
    reconnectIfBroken();
    // One snapshot for every statement of the section. BEGIN travels with
    // the first statement; a section that sent none needs no COMMIT.
    const auto sent = db_->pipelines();
    db_->queue("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    try {
        section(*this);
        if (db_->pipelines() == sent) {
            db_->rollBack();
            return;
        }
        db_->queue("COMMIT");
        db_->flush();
    } catch (...) {
        db_->rollBack();
        throw;
    }
}

void PostgresStore::writeSection(const std::function<void(StoreWriter &)> &section)
{
    requireCallsAllowed();
    const bool nested = transaction_ != SqlTransactionState::None;
    if (!nested)
        reconnectIfBroken();
    const auto sent = db_->pipelines();
    db_->queue(nested ? "SAVEPOINT batch_call" : kBeginWrite);
    writing_ = true;
    try {
        section(*this);
        sendInserts();
        db_->queue(nested ? "RELEASE SAVEPOINT batch_call" : "COMMIT");
        db_->flush();
        writing_ = false;
        endSection();
        if (!nested)
            wakePurgeIfDropped();
    } catch (...) {
        writing_ = false;
        discardWrites();
        endSection();
        if (!nested) {
            dropped_ = false;
            db_->rollBack();
        } else if (db_->pipelines() != sent) {
            try {
                db_->execute("ROLLBACK TO SAVEPOINT batch_call; RELEASE SAVEPOINT batch_call");
            } catch (...) {
                // The savepoint is gone with the whole transaction (the
                // connection was lost); its commit will fail.
            }
        }
        throw;
    }
}

void PostgresStore::commitTransaction()
{
    // A transaction in the failed state would answer COMMIT with a
    // rollback, not an error.
    if (db_->inFailedTransaction())
        throw OperationFailed("a call inside it could not be undone alone");
    db_->execute("COMMIT");
    wakePurgeIfDropped();
}

void PostgresStore::wakePurgeIfDropped()
{
    if (!dropped_)
        return;
    dropped_ = false;
    database_->purge().wake();
}

void PostgresStore::abandonTransaction() noexcept
{
    // The transaction's inserts are undone; the keys they took came from
    // the sequence, which never hands them out again.
    discardWrites();
    dropped_ = false;
    db_->rollBack();
}

void PostgresStore::discardWrites() noexcept
{
    inserts_.clear();
    updates_.clear();
    updatedKeys_.clear();
    db_->discardQueued();
}

Result PostgresStore::query(const std::string &sql, const Params &params) const
{
    sendInserts();
    return db_->query(sql, params);
}

// ---------------------------------------------------------------------------
// Mailboxes

std::optional<MailboxKey> PostgresStore::findMailbox(const Id &mailboxId) const
{
    auto key = mailboxSpace_.key(mailboxId);
    if (!key)
        return std::nullopt;
    auto r = query("SELECT 1 FROM osid_messaging.mailboxes WHERE mailbox = $1", Params().add(*key));
    return r.rows() > 0 ? key : std::nullopt;
}

std::vector<MailboxKey> PostgresStore::mailboxes() const
{
    return keys(query("SELECT mailbox FROM osid_messaging.mailboxes ORDER BY mailbox"));
}

std::shared_ptr<messaging::Mailbox> PostgresStore::mailbox(MailboxKey mailbox) const
{
    auto r = query("SELECT display_name, description, genus_type FROM osid_messaging.mailboxes WHERE mailbox = $1",
                   Params().add(mailbox));
    if (r.rows() == 0)
        throw OperationFailed(fmt::format("mailbox {} is missing from the store", mailbox));
    const auto genus = r.text(0, 2);
    return std::make_shared<MailboxSnapshot>(ObjectFields{mailboxSpace_.id(mailbox),
                                                          std::string(r.text(0, 0)),
                                                          std::string(r.text(0, 1)),
                                                          genus.empty() ? Type() : Type::parse(genus),
                                                          {}});
}

MailboxKey PostgresStore::createMailbox(const std::string &displayName, const std::string &description,
                                        const Type &genusType)
{
    auto r = query("INSERT INTO osid_messaging.mailboxes (display_name, description, genus_type) "
                   "VALUES ($1, $2, $3) RETURNING mailbox",
                   Params().add(displayName).add(description).add(genusType.isNull() ? "" : genusType.toString()));
    return static_cast<MailboxKey>(r.integer(0, 0));
}

// ---------------------------------------------------------------------------
// Messages

Id PostgresStore::messageId(MessageKey key) const { return messageSpace_.id(key); }

bool PostgresStore::isPrimarySpace(const Id &id) const { return messageSpace_.contains(id); }

std::optional<MessageKey> PostgresStore::resolve(MailboxKey mailbox, const Id &messageId) const
{
    lockForWriting(mailbox);
    Result r;
    if (isPrimarySpace(messageId)) {
        auto key = messageSpace_.key(messageId);
        if (!key)
            return std::nullopt;
        static const std::string byKey = fmt::format(
            "SELECT message FROM osid_messaging.messages WHERE message = $1 AND generation = {}", generationOf(2));
        r = query(byKey, Params().add(*key).add(mailbox));
    } else {
        static const std::string byAlias =
            fmt::format("SELECT m.message FROM osid_messaging.aliases a JOIN osid_messaging.messages m "
                        "ON m.message = a.message WHERE a.alias = $1 AND m.generation = {}",
                        generationOf(2));
        r = query(byAlias, Params().add(canonical(messageId)).add(mailbox));
    }
    if (r.rows() == 0)
        return std::nullopt;
    return static_cast<MessageKey>(r.integer(0, 0));
}

std::optional<MailboxKey> PostgresStore::aliasMailbox(const Id &aliasId) const
{
    // A message of a dropped generation is in no mailbox.
    auto r = query("SELECT mb.mailbox FROM osid_messaging.aliases a JOIN osid_messaging.messages m "
                   "ON m.message = a.message JOIN osid_messaging.mailboxes mb ON mb.generation = m.generation "
                   "WHERE a.alias = $1",
                   Params().add(canonical(aliasId)));
    if (r.rows() == 0)
        return std::nullopt;
    return static_cast<MailboxKey>(r.integer(0, 0));
}

MessageContent PostgresStore::readContent(const Result &r, int row, int c) const
{
    MessageContent m;
    m.displayName = r.text(row, c + 0);
    m.description = r.text(row, c + 1);
    if (auto genus = r.text(row, c + 2); !genus.empty())
        m.genusType = Type::parse(genus);
    if (r.boolean(row, c + 3))
        m.recordTypes.push_back(messaging::records::deliveryRecordType());
    m.subject = r.text(row, c + 4);
    m.text = r.text(row, c + 5);
    m.sent = r.boolean(row, c + 6);
    if (!m.sent)
        return m;
    m.senderId = Id::parse(r.text(row, c + 7));
    m.sendingAgentId = Id::parse(r.text(row, c + 8));
    m.sentTime = DateTime::fromMicroseconds(r.integer(row, c + 9));
    m.receivedTime = DateTime::fromMicroseconds(r.integer(row, c + 10));
    for (auto rest = r.text(row, c + 11); !rest.empty();) {
        const auto end = rest.find('\n');
        m.recipientIds.push_back(Id::parse(rest.substr(0, end)));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    return m;
}

MessageContent PostgresStore::content(MailboxKey mailbox, MessageKey key) const
{
    static const std::string sql =
        fmt::format("SELECT {} FROM osid_messaging.messages WHERE message = $1 AND generation = {}", kContentColumns,
                    generationOf(2));
    lockForWriting(mailbox);
    auto r = query(sql, Params().add(key).add(mailbox));
    if (r.rows() == 0)
        throw OperationFailed(fmt::format("message {} is missing from the store", key));
    return readContent(r, 0, 0);
}

Result PostgresStore::findRow(MailboxKey mailbox, const Id &messageId) const
{
    // One statement: the row, found by key or through the alias. A write
    // section locks it, so that what an update read stays true until the
    // section commits.
    static const std::string byKey =
        fmt::format("SELECT message, {} FROM osid_messaging.messages WHERE message = $1 AND generation = {}",
                    kContentColumns, generationOf(2));
    static const std::string byAlias =
        fmt::format("SELECT m.message, {} FROM osid_messaging.aliases AS a JOIN osid_messaging.messages AS m "
                    "ON m.message = a.message WHERE a.alias = $1 AND m.generation = {}",
                    kContentColumns, generationOf(2));
    static const std::string byKeyLocked = byKey + " FOR UPDATE OF messages";
    static const std::string byAliasLocked = byAlias + " FOR UPDATE OF m";
    lockForWriting(mailbox);
    if (isPrimarySpace(messageId)) {
        auto key = messageSpace_.key(messageId);
        if (!key)
            return Result();
        return query(writing_ ? byKeyLocked : byKey, Params().add(*key).add(mailbox));
    }
    return query(writing_ ? byAliasLocked : byAlias, Params().add(canonical(messageId)).add(mailbox));
}

std::shared_ptr<messaging::Message> PostgresStore::lookupMessage(MailboxKey mailbox, const Id &messageId)
{
    requireCallsAllowed();
    // One statement sees one consistent state by itself, so it needs no
    // BEGIN ... COMMIT of its own (inside an OSID transaction it is part
    // of that transaction).
    return translatingErrors([&] {
        reconnectIfBroken();
        return lookup(mailbox, messageId);
    });
}

std::shared_ptr<messaging::Message> PostgresStore::lookup(MailboxKey mailbox, const Id &messageId) const
{
    auto r = findRow(mailbox, messageId);
    if (r.rows() == 0)
        return nullptr;
    return MessageSnapshot::make(this->messageId(static_cast<MessageKey>(r.integer(0, 0))), readContent(r, 0, 1));
}

std::optional<KeyedContent> PostgresStore::find(MailboxKey mailbox, const Id &messageId) const
{
    auto r = findRow(mailbox, messageId);
    if (r.rows() == 0)
        return std::nullopt;
    return KeyedContent(static_cast<MessageKey>(r.integer(0, 0)), readContent(r, 0, 1));
}

Result PostgresStore::findRows(MailboxKey mailbox, const std::vector<Id> &messageIds, bool timesOnly) const
{
    // The Ids as two arrays: a key where the Id is a primary one, the
    // alias's canonical text where it is not. Each row of the join is one
    // Id that found its message, by its position; the messages are found
    // by their primary key index one by one, as findRow() would, but in
    // one statement and one round trip.
    static const std::string kFrom =
        fmt::format("FROM unnest($1::int8[], $2::text[]) WITH ORDINALITY AS q (key, alias, i) "
                    "LEFT JOIN osid_messaging.aliases AS a ON a.alias = q.alias COLLATE \"C\" "
                    "JOIN osid_messaging.messages AS m ON m.message = COALESCE(q.key, a.message) "
                    "WHERE m.generation = {}",
                    generationOf(3));
    static const std::string sql = fmt::format("SELECT q.i, {} {}", qualifiedContentColumns(), kFrom);
    static const std::string locked = sql + " FOR UPDATE OF m";
    static const std::string times =
        fmt::format("SELECT q.i, m.message, m.sent, m.sent_time, m.received_time {} FOR UPDATE OF m", kFrom);
    std::string keys = "{";
    std::string aliases = "{";
    for (const auto &id : messageIds) {
        if (isPrimarySpace(id)) {
            const auto key = messageSpace_.key(id);
            appendPlain(keys, key ? std::to_string(*key) : "NULL");
            appendPlain(aliases, "NULL");
        } else {
            appendPlain(keys, "NULL");
            ::osid::postgres::appendArrayElement(aliases, canonical(id));
        }
    }
    keys += '}';
    aliases += '}';
    lockForWriting(mailbox);
    return query(timesOnly  ? times
                 : writing_ ? locked
                            : sql,
                 Params().add(std::move(keys)).add(std::move(aliases)).add(mailbox));
}

std::vector<std::optional<KeyedView>> PostgresStore::findAll(MailboxKey mailbox,
                                                             const std::vector<Id> &messageIds) const
{
    std::vector<std::optional<KeyedView>> out(messageIds.size());
    if (messageIds.empty())
        return out;
    const auto r = findRows(mailbox, messageIds, false);
    for (int row = 0; row < r.rows(); ++row)
        out.at(static_cast<std::size_t>(r.integer(row, 0) - 1))
            .emplace(static_cast<MessageKey>(r.integer(row, 1)), ownedView(readContent(r, row, 2)));
    return out;
}

std::vector<KeyedContent> PostgresStore::select(MailboxKey mailbox, const MessageQuery &query) const
{
    std::string where = "generation = " + generationOf(1);
    Params params;
    params.add(mailbox);
    auto require = [&](const char *condition, auto value) {
        params.add(value);
        where += fmt::format(" AND {} ${}", condition, params.size());
    };
    if (query.genusType)
        require("genus_key =", canonical(*query.genusType));
    if (query.deliveryRecordOnly)
        where += " AND delivery";
    if (query.sent)
        require("sent =", *query.sent);
    if (query.sender)
        require("sent AND sender_key =", canonical(*query.sender));
    if (query.recipient)
        where += " AND sent";
    if (query.sentTime) {
        require("sent AND sent_time >=", query.sentTime->first.toMicroseconds());
        require("sent_time <=", query.sentTime->second.toMicroseconds());
    }
    if (query.receivedTime) {
        require("sent AND received_time >=", query.receivedTime->first.toMicroseconds());
        require("received_time <=", query.receivedTime->second.toMicroseconds());
    }
    auto r = this->query(fmt::format("SELECT message, {} FROM osid_messaging.messages WHERE {} ORDER BY {}message",
                                     kContentColumns, where, query.orderBySentTime ? "sent_time, " : ""),
                         params);
    std::vector<KeyedContent> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int row = 0; row < r.rows(); ++row) {
        auto content = readContent(r, row, 1);
        if (query.recipient && std::find(content.recipientIds.begin(), content.recipientIds.end(), *query.recipient) ==
                                   content.recipientIds.end())
            continue;
        out.emplace_back(static_cast<MessageKey>(r.integer(row, 0)), std::move(content));
    }
    return out;
}

std::vector<MessageKey> PostgresStore::keys(const Result &rows) const
{
    std::vector<MessageKey> out;
    out.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row)
        out.push_back(static_cast<MessageKey>(rows.integer(row, 0)));
    return out;
}

std::vector<MessageKey> PostgresStore::allKeys(MailboxKey mailbox) const
{
    return keys(query(fmt::format("SELECT message FROM osid_messaging.messages WHERE generation = {} ORDER BY message",
                                  generationOf(1)),
                      Params().add(mailbox)));
}

std::vector<MessageKey> PostgresStore::keysFromSender(MailboxKey mailbox, const Id &sender) const
{
    static const std::string sql =
        fmt::format("SELECT message FROM osid_messaging.messages WHERE generation = {} AND sender_key = $2 AND sent",
                    generationOf(1));
    return keys(query(sql, Params().add(mailbox).add(canonical(sender))));
}

std::vector<MessageKey> PostgresStore::keysReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) const
{
    static const std::string sql = fmt::format("SELECT message FROM osid_messaging.messages WHERE generation = {} "
                                               "AND received_time BETWEEN $2 AND $3 AND sent",
                                               generationOf(1));
    return keys(query(sql, Params().add(mailbox).add(from.toMicroseconds()).add(to.toMicroseconds())));
}

MessageKey PostgresStore::takeKey()
{
    if (nextKey_ == keys_.size()) {
        // A block of keys in one statement; the next block is larger, so a
        // large create takes few. It needs none of the gathered inserts:
        // they stay for the section's one COPY.
        keys_ = keys(db_->query("SELECT nextval('osid_messaging.message_keys') FROM generate_series(1, $1)",
                                Params().add(static_cast<std::int64_t>(blockSize_))));
        std::sort(keys_.begin(), keys_.end());
        nextKey_ = 0;
        blockSize_ = std::min(blockSize_ * 2, kMaximumKeyBlock);
    }
    return keys_[nextKey_++];
}

void PostgresStore::lockMailbox(MailboxKey mailbox) const
{
    if (std::find(lockedMailboxes_.begin(), lockedMailboxes_.end(), mailbox) != lockedMailboxes_.end())
        return;
    db_->queue(mailboxLock("pg_advisory_xact_lock_shared"), mailboxLockKey(mailbox));
    lockedMailboxes_.push_back(mailbox);
}

std::int64_t PostgresStore::generationForInsert(MailboxKey mailbox)
{
    for (const auto &[m, generation] : generations_)
        if (m == mailbox)
            return generation;
    // Read in a statement after the lock's: it sees the generation that a
    // delete of all, which the lock waited for, left.
    lockMailbox(mailbox);
    auto r = db_->query("SELECT generation FROM osid_messaging.mailboxes WHERE mailbox = $1", Params().add(mailbox));
    if (r.rows() == 0)
        throw OperationFailed(fmt::format("mailbox {} is missing from the store", mailbox));
    generations_.emplace_back(mailbox, r.integer(0, 0));
    return generations_.back().second;
}

void PostgresStore::lockForWriting(MailboxKey mailbox) const
{
    if (writing_)
        lockMailbox(mailbox);
}

void PostgresStore::endSection() noexcept
{
    lockedMailboxes_.clear();
    generations_.clear();
}

MessageKey PostgresStore::insert(MailboxKey mailbox, const MessageContent &c)
{
    const auto generation = generationForInsert(mailbox);
    const MessageKey key = takeKey();
    auto &row = inserts_.row(kColumns);
    row.add(key).add(generation).add(c.displayName).add(c.description);
    if (c.genusType.isNull())
        row.add("").add("");
    else
        row.add(c.genusType.toString()).add(canonical(c.genusType));
    row.add(isDelivery(c)).add(c.subject).add(c.text).add(c.sent);
    if (c.sent) {
        row.add(c.senderId.toString()).add(canonical(c.senderId)).add(c.sendingAgentId.toString());
        row.add(c.sentTime.toMicroseconds()).add(c.receivedTime.toMicroseconds()).add(recipientText(c.recipientIds));
    } else {
        for (int column = kSender; column < kColumns; ++column)
            row.addNull();
    }
    return key;
}

void PostgresStore::sendInserts() const
{
    static const std::string copy = copyStatement();
    if (inserts_.rows() > 0)
        db_->copy(copy, inserts_);
    // After the inserts: an update may change a message inserted in the
    // same section.
    for (auto &group : updates_) {
        std::string sets;
        std::string arrays = "$2::int8[]";
        std::string names = "message";
        Params params;
        params.add(group.mailbox);
        for (int c = 0, n = 0; c < kColumns; ++c) {
            if ((group.columns & (1u << c)) == 0)
                continue;
            fmt::format_to(std::back_inserter(sets), "{}{} = u.{}", n == 0 ? "" : ", ", kColumnNames[c],
                           kColumnNames[c]);
            fmt::format_to(std::back_inserter(arrays), ", ${}::{}[]", n + 3, kColumnTypes[c]);
            fmt::format_to(std::back_inserter(names), ", {}", kColumnNames[c]);
            ++n;
        }
        for (auto &array : group.arrays) {
            array += '}';
            params.add(std::move(array));
        }
        db_->queue(fmt::format("UPDATE osid_messaging.messages AS m SET {} FROM unnest({}) AS u ({}) "
                               "WHERE m.message = u.message AND m.generation = {}",
                               sets, arrays, names, generationOf(1)),
                   std::move(params));
    }
    updates_.clear();
    updatedKeys_.clear();
}

void PostgresStore::replace(MailboxKey mailbox, MessageKey key, const MessageContent &previous, const MessageContent &c)
{
    // Only the columns that change are written: an update of the text
    // then leaves the sender and time indexes alone. The change joins the
    // section's other updates of the same columns, so that a call that
    // updates many messages sends one UPDATE, not one per message.
    std::optional<std::string> values[kColumns];
    std::uint32_t columns = 0;
    auto change = [&](Column column, std::optional<std::string> value) {
        columns |= 1u << column;
        values[column] = std::move(value);
    };
    auto text = [&](Column column, const std::string &now, const std::string &before) {
        if (now != before)
            change(column, now);
    };
    auto flag = [](bool b) { return std::string(b ? "t" : "f"); };
    text(kDisplayName, c.displayName, previous.displayName);
    text(kDescription, c.description, previous.description);
    text(kSubject, c.subject, previous.subject);
    text(kBody, c.text, previous.text);
    if (c.genusType != previous.genusType) {
        change(kGenusType, c.genusType.isNull() ? std::string() : c.genusType.toString());
        change(kGenusKey, c.genusType.isNull() ? std::string() : canonical(c.genusType));
    }
    if (isDelivery(c) != isDelivery(previous))
        change(kDelivery, flag(isDelivery(c)));
    // Delivery columns: NULL for a draft.
    const bool flipped = c.sent != previous.sent;
    if (flipped)
        change(kSent, flag(c.sent));
    auto delivery = [&](bool differs, Column column, auto value) {
        if (flipped || (c.sent && differs))
            change(column, c.sent ? std::optional<std::string>(value()) : std::nullopt);
    };
    delivery(c.senderId != previous.senderId, kSender, [&] { return c.senderId.toString(); });
    delivery(c.senderId != previous.senderId, kSenderKey, [&] { return canonical(c.senderId); });
    delivery(c.sendingAgentId != previous.sendingAgentId, kSendingAgent, [&] { return c.sendingAgentId.toString(); });
    delivery(c.sentTime != previous.sentTime, kSentTime, [&] { return std::to_string(c.sentTime.toMicroseconds()); });
    delivery(c.receivedTime != previous.receivedTime, kReceivedTime,
             [&] { return std::to_string(c.receivedTime.toMicroseconds()); });
    delivery(c.recipientIds != previous.recipientIds, kRecipients, [&] { return recipientText(c.recipientIds); });
    addUpdate(mailbox, key, columns, values);
}

void PostgresStore::addUpdate(MailboxKey mailbox, MessageKey key, std::uint32_t columns,
                              const std::optional<std::string> (&values)[kColumns])
{
    if (columns == 0)
        return;
    lockMailbox(mailbox);
    // One UPDATE changes a row once: a second change of a message in the
    // same section goes out after the first.
    if (!updatedKeys_.insert(key).second) {
        sendInserts();
        updatedKeys_.insert(key);
    }
    auto group = std::find_if(updates_.begin(), updates_.end(),
                              [&](const Updates &u) { return u.mailbox == mailbox && u.columns == columns; });
    if (group == updates_.end()) {
        Updates fresh{mailbox, columns, {}};
        fresh.arrays.assign(1 + static_cast<std::size_t>(std::popcount(columns)), "{");
        group = updates_.insert(updates_.end(), std::move(fresh));
    }
    appendPlain(group->arrays[0], std::to_string(key));
    std::size_t array = 1;
    for (int column = 0; column < kColumns; ++column) {
        if ((columns & (1u << column)) == 0)
            continue;
        auto &out = group->arrays[array++];
        if (!values[column])
            appendPlain(out, "NULL");
        else if (std::string_view(kColumnTypes[column]) == "text")
            ::osid::postgres::appendArrayElement(out, *values[column]);
        else
            appendPlain(out, *values[column]);
    }
}

std::vector<UpdateOutcome> PostgresStore::updateMessages(MailboxKey mailbox,
                                                         const std::vector<std::pair<Id, MessageChanges>> &updates)
{
    // Of a stored message an update needs only whether it was sent and its
    // times (to check the received time against the sent time): one
    // statement finds and locks every message and reads those. The changes
    // are then applied here in order, a later update of a message to what
    // the earlier left, and each message changed is written once, in one
    // UPDATE per set of columns. A column an update sets is written even
    // when its value stays: PostgreSQL writes a whole new row version
    // either way, and compares indexed columns by value, not by whether
    // the statement names them.
    std::vector<UpdateOutcome> out;
    if (updates.empty())
        return out;
    std::vector<Id> ids;
    ids.reserve(updates.size());
    for (const auto &u : updates)
        ids.push_back(u.first);
    lockMailbox(mailbox);
    const auto r = findRows(mailbox, ids, true);
    struct Target {
        MessageKey key = 0;
        bool sent = false;
        DateTime sentTime, receivedTime;
        std::uint32_t columns = 0;
        std::optional<std::string> values[kColumns];
    };
    std::vector<Target> targets;
    std::unordered_map<MessageKey, std::size_t> position;
    // For each update, its message's place in targets, if it was found.
    std::vector<std::optional<std::size_t>> of(updates.size());
    for (int row = 0; row < r.rows(); ++row) {
        const auto key = static_cast<MessageKey>(r.integer(row, 1));
        const auto [it, first] = position.try_emplace(key, targets.size());
        if (first) {
            Target t;
            t.key = key;
            t.sent = r.boolean(row, 2);
            if (t.sent) {
                t.sentTime = DateTime::fromMicroseconds(r.integer(row, 3));
                t.receivedTime = DateTime::fromMicroseconds(r.integer(row, 4));
            }
            targets.push_back(std::move(t));
        }
        of.at(static_cast<std::size_t>(r.integer(row, 0) - 1)) = it->second;
    }
    out.reserve(updates.size());
    for (std::size_t i = 0; i < updates.size(); ++i) {
        if (!of[i]) {
            out.push_back({UpdateOutcome::NoMessage, {}, {}});
            continue;
        }
        auto &t = targets[*of[i]];
        const auto &c = updates[i].second;
        const auto sentTime = c.sentTime.value_or(t.sentTime);
        const auto receivedTime = c.receivedTimeAfter(t.sentTime, t.receivedTime);
        if (t.sent && receivedTime < sentTime) {
            out.push_back({UpdateOutcome::ReceivedBeforeSent, sentTime, receivedTime});
            continue;
        }
        auto set = [&](Column column, std::string value) {
            t.columns |= 1u << column;
            t.values[column] = std::move(value);
        };
        if (c.displayName)
            set(kDisplayName, std::string(*c.displayName));
        if (c.description)
            set(kDescription, std::string(*c.description));
        if (c.subject)
            set(kSubject, std::string(*c.subject));
        if (c.text)
            set(kBody, std::string(*c.text));
        if (c.genusType) {
            set(kGenusType, c.genusType->isNull() ? std::string() : c.genusType->toString());
            set(kGenusKey, c.genusType->isNull() ? std::string() : canonical(*c.genusType));
        }
        // The delivery columns of a draft stay NULL.
        if (t.sent) {
            if (c.senderId) {
                set(kSender, c.senderId->toString());
                set(kSenderKey, canonical(*c.senderId));
            }
            if (c.recipientIds)
                set(kRecipients, recipientText(*c.recipientIds));
            if (c.sentTime)
                set(kSentTime, std::to_string(sentTime.toMicroseconds()));
            if (c.receivedTime)
                set(kReceivedTime, std::to_string(receivedTime.toMicroseconds()));
            t.sentTime = sentTime;
            t.receivedTime = receivedTime;
        }
        out.push_back({UpdateOutcome::Updated, {}, {}});
    }
    for (const auto &t : targets)
        addUpdate(mailbox, t.key, t.columns, t.values);
    return out;
}

void PostgresStore::erase(MailboxKey mailbox, MessageKey key)
{
    sendInserts();
    lockMailbox(mailbox);
    static const std::string sql =
        fmt::format("DELETE FROM osid_messaging.messages WHERE message = $1 AND generation = {}", generationOf(2));
    db_->queue(sql, Params().add(key).add(mailbox));
}

std::vector<MessageKey> PostgresStore::eraseKeys(MailboxKey mailbox, std::vector<MessageKey> keys)
{
    if (keys.empty())
        return keys;
    // One statement for all of them; what it returns is what it deleted,
    // should another session have deleted some since they were selected.
    std::vector<std::int64_t> values(keys.begin(), keys.end());
    // A join with the array, not "= ANY": a prepared statement's generic
    // plan cannot see the array's length and may scan the whole table.
    static const std::string sql =
        fmt::format("DELETE FROM osid_messaging.messages AS m USING unnest($2::int8[]) AS k (message) "
                    "WHERE m.message = k.message AND m.generation = {} RETURNING m.message",
                    generationOf(1));
    lockMailbox(mailbox);
    return this->keys(query(sql, Params().add(mailbox).addArray(values)));
}

std::vector<MessageKey> PostgresStore::eraseFromSender(MailboxKey mailbox, const Id &sender)
{
    // Found and erased with one search, as the selection would find them.
    static const std::string sql = fmt::format(
        "DELETE FROM osid_messaging.messages WHERE generation = {} AND sender_key = $2 AND sent RETURNING message",
        generationOf(1));
    lockMailbox(mailbox);
    return keys(query(sql, Params().add(mailbox).add(canonical(sender))));
}

std::vector<MessageKey> PostgresStore::eraseReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to)
{
    static const std::string sql =
        fmt::format("DELETE FROM osid_messaging.messages WHERE generation = {} AND received_time BETWEEN $2 AND $3 "
                    "AND sent RETURNING message",
                    generationOf(1));
    lockMailbox(mailbox);
    return keys(query(sql, Params().add(mailbox).add(from.toMicroseconds()).add(to.toMicroseconds())));
}

std::vector<MessageKey> PostgresStore::eraseAll(MailboxKey mailbox)
{
    // The mailbox moves to a new generation; the rows of the old one stay
    // for the purge, read by no statement from the commit on. The lock,
    // exclusive, waits for the sections writing to the mailbox and holds
    // off new ones until this section ends; the statement after it then
    // sees every message they committed, and reports each one it drops.
    // Its sub-statements share one snapshot: `old` is the generation
    // before the move.
    sendInserts();
    // The wait is bounded (PostgresProviderOptions::lockTimeout): writers
    // that come after queue behind it. The session's own lock_timeout is
    // kept aside and put back.
    db_->queue("SELECT set_config('osid.lock_timeout', current_setting('lock_timeout'), true), "
               "set_config('lock_timeout', $1, true)",
               Params().add(fmt::format("{}ms", database_->lockTimeout().count())));
    db_->queue(mailboxLock("pg_advisory_xact_lock"), mailboxLockKey(mailbox));
    db_->queue("SELECT set_config('lock_timeout', current_setting('osid.lock_timeout'), true)");
    lockedMailboxes_.push_back(mailbox);
    generations_.clear();
    auto r = query("WITH old AS (SELECT generation FROM osid_messaging.mailboxes WHERE mailbox = $1), "
                   "moved AS (UPDATE osid_messaging.mailboxes "
                   "SET generation = nextval('osid_messaging.generations') WHERE mailbox = $1), "
                   "dropped AS (INSERT INTO osid_messaging.dropped_generations SELECT generation FROM old) "
                   "SELECT m.message FROM osid_messaging.messages AS m JOIN old ON m.generation = old.generation",
                   Params().add(mailbox));
    dropped_ = true;
    return keys(r);
}

void PostgresStore::setAlias(const Id &aliasId, MessageKey key)
{
    sendInserts();
    db_->queue("INSERT INTO osid_messaging.aliases VALUES ($1, $2) "
               "ON CONFLICT (alias) DO UPDATE SET message = excluded.message",
               Params().add(canonical(aliasId)).add(key));
}

std::vector<AliasOutcome> PostgresStore::aliasMessages(MailboxKey mailbox,
                                                       const std::vector<transaction::batch::AliasRequest> &requests)
{
    // One statement reads what every request needs: the key of the message
    // its reference names in this mailbox, and the mailbox of the message
    // its alias names now. The requests are then decided here in order,
    // each seeing the aliases the earlier ones set, and the aliases set go
    // out in one INSERT ... ON CONFLICT.
    static const std::string sql = fmt::format(
        "SELECT q.i, "
        "(SELECT m.message FROM osid_messaging.messages AS m WHERE m.generation = {} AND m.message = "
        "COALESCE(q.reference_key, (SELECT a.message FROM osid_messaging.aliases AS a "
        "WHERE a.alias = q.reference_alias COLLATE \"C\"))), "
        "(SELECT mb.mailbox FROM osid_messaging.aliases AS a JOIN osid_messaging.messages AS m "
        "ON m.message = a.message JOIN osid_messaging.mailboxes AS mb ON mb.generation = m.generation "
        "WHERE a.alias = q.alias COLLATE \"C\") "
        "FROM unnest($1::int8[], $2::text[], $3::text[]) WITH ORDINALITY AS q (reference_key, reference_alias, alias, i)",
        generationOf(4));
    std::vector<AliasOutcome> out(requests.size(), AliasOutcome::NullId);
    if (requests.empty())
        return out;
    // Per request: the reference's alias text (if it is not a primary Id)
    // and the alias's text.
    std::vector<std::string> referenceAliases(requests.size());
    std::vector<std::string> aliasTexts(requests.size());
    std::string referenceKeys = "{", referenceAliasArray = "{", aliasArray = "{";
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto &reference = requests[i].getReferenceId();
        const auto &alias = requests[i].getAliasId();
        if (reference.isNull() || alias.isNull()) {
            for (auto *array : {&referenceKeys, &referenceAliasArray, &aliasArray})
                appendPlain(*array, "NULL");
            continue;
        }
        if (isPrimarySpace(reference)) {
            const auto key = messageSpace_.key(reference);
            appendPlain(referenceKeys, key ? std::to_string(*key) : "NULL");
            appendPlain(referenceAliasArray, "NULL");
        } else {
            referenceAliases[i] = canonical(reference);
            appendPlain(referenceKeys, "NULL");
            ::osid::postgres::appendArrayElement(referenceAliasArray, referenceAliases[i]);
        }
        if (isPrimarySpace(alias)) {
            appendPlain(aliasArray, "NULL");
        } else {
            aliasTexts[i] = canonical(alias);
            ::osid::postgres::appendArrayElement(aliasArray, aliasTexts[i]);
        }
    }
    referenceKeys += '}';
    referenceAliasArray += '}';
    aliasArray += '}';
    const auto r = query(sql, Params()
                                  .add(std::move(referenceKeys))
                                  .add(std::move(referenceAliasArray))
                                  .add(std::move(aliasArray))
                                  .add(mailbox));
    std::vector<std::optional<MessageKey>> targets(requests.size());
    std::vector<std::optional<MailboxKey>> owners(requests.size());
    for (int row = 0; row < r.rows(); ++row) {
        const auto i = static_cast<std::size_t>(r.integer(row, 0) - 1);
        if (!r.isNull(row, 1))
            targets.at(i) = static_cast<MessageKey>(r.integer(row, 1));
        if (!r.isNull(row, 2))
            owners.at(i) = static_cast<MailboxKey>(r.integer(row, 2));
    }
    // The aliases this call set so far, by canonical text: they now name
    // messages of this mailbox, whatever they named before.
    std::unordered_map<std::string, MessageKey> set;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (requests[i].getReferenceId().isNull() || requests[i].getAliasId().isNull())
            continue;
        auto target = targets[i];
        if (!referenceAliases[i].empty())
            if (auto earlier = set.find(referenceAliases[i]); earlier != set.end())
                target = earlier->second;
        if (!target) {
            out[i] = AliasOutcome::NoTarget;
            continue;
        }
        if (aliasTexts[i].empty()) {
            out[i] = AliasOutcome::PrimarySpace;
            continue;
        }
        auto earlier = set.find(aliasTexts[i]);
        if (earlier == set.end() && owners[i] && *owners[i] != mailbox) {
            out[i] = AliasOutcome::OtherMailbox;
            continue;
        }
        if (earlier == set.end())
            set.emplace(aliasTexts[i], *target);
        else
            earlier->second = *target;
        out[i] = AliasOutcome::Set;
    }
    if (set.empty())
        return out;
    // Each alias once (ON CONFLICT changes a row once per statement), in
    // the order of its text, so that two calls lock shared aliases in the
    // same order.
    std::vector<std::pair<std::string_view, MessageKey>> rows(set.begin(), set.end());
    std::sort(rows.begin(), rows.end());
    std::string aliasColumn = "{", keyColumn = "{";
    for (const auto &[alias, key] : rows) {
        ::osid::postgres::appendArrayElement(aliasColumn, alias);
        appendPlain(keyColumn, std::to_string(key));
    }
    aliasColumn += '}';
    keyColumn += '}';
    sendInserts();
    db_->queue("INSERT INTO osid_messaging.aliases SELECT * FROM unnest($1::text[], $2::int8[]) "
               "ON CONFLICT (alias) DO UPDATE SET message = excluded.message",
               Params().add(std::move(aliasColumn)).add(std::move(keyColumn)));
    return out;
}

void PostgresStore::dropDanglingAliases()
{
    // The aliases of a dropped generation's messages go with the purge
    // (postgres_purge.h), after this section: they name no message of any
    // mailbox from its commit on.
}

} // namespace osid::impl::postgres
