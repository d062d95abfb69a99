#include "impl/postgres/postgres_store.h"

#include "impl/common/snapshots.h"
#include "messaging/records/delivery_record.h"

#include <algorithm>

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

// The columns of the messages table, in order; each is one array of the
// one INSERT a section's creates make.
enum Column {
    kKey,
    kMailbox,
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
constexpr const char *kInsert =
    "INSERT INTO osid_messaging.messages SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], "
    "$5::text[], $6::text[], $7::bool[], $8::text[], $9::text[], $10::bool[], $11::text[], $12::text[], $13::text[], "
    "$14::int8[], $15::int8[], $16::text[])";

// Appends an element that needs no quotes (a number, a boolean, NULL).
void appendPlain(std::string &array, std::string_view value)
{
    if (array.size() > 1)
        array += ',';
    array += value;
}

} // namespace

// ---------------------------------------------------------------------------
// PostgresStore: sections and transactions

PostgresStore::PostgresStore(std::shared_ptr<Database> database)
    : database_(std::move(database)), db_(database_->acquire()),
      messageSpace_(database_->authority(), kMessageNamespace), mailboxSpace_(database_->authority(), kMailboxNamespace)
{
    inserts_.clear();
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
        db_->reconnect();
}

std::unique_ptr<transaction::Transaction> PostgresStore::startTransaction()
{
    if (transaction_ != SqlTransactionState::None)
        throw IllegalState("a transaction is already open on this session");
    translatingErrors([&] {
        reconnectIfBroken();
        db_->execute("BEGIN");
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
    db_->queue(nested ? "SAVEPOINT batch_call" : "BEGIN");
    writing_ = true;
    try {
        section(*this);
        queueInserts();
        db_->queue(nested ? "RELEASE SAVEPOINT batch_call" : "COMMIT");
        db_->flush();
        writing_ = false;
    } catch (...) {
        writing_ = false;
        discardWrites();
        if (!nested) {
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
}

void PostgresStore::abandonTransaction() noexcept
{
    // The transaction's inserts are undone; the keys they took came from
    // the sequence, which never hands them out again.
    discardWrites();
    db_->rollBack();
}

void PostgresStore::discardWrites() noexcept
{
    inserts_.clear();
    db_->discardQueued();
}

Result PostgresStore::query(const std::string &sql, const Params &params) const
{
    queueInserts();
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
    Result r;
    if (isPrimarySpace(messageId)) {
        auto key = messageSpace_.key(messageId);
        if (!key)
            return std::nullopt;
        r = query("SELECT message FROM osid_messaging.messages WHERE message = $1 AND mailbox = $2",
                  Params().add(*key).add(mailbox));
    } else {
        r = query("SELECT m.message FROM osid_messaging.aliases a JOIN osid_messaging.messages m "
                  "ON m.message = a.message WHERE a.alias = $1 AND m.mailbox = $2",
                  Params().add(canonical(messageId)).add(mailbox));
    }
    if (r.rows() == 0)
        return std::nullopt;
    return static_cast<MessageKey>(r.integer(0, 0));
}

std::optional<MailboxKey> PostgresStore::aliasMailbox(const Id &aliasId) const
{
    auto r = query("SELECT m.mailbox FROM osid_messaging.aliases a JOIN osid_messaging.messages m "
                   "ON m.message = a.message WHERE a.alias = $1",
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
        fmt::format("SELECT {} FROM osid_messaging.messages WHERE message = $1 AND mailbox = $2", kContentColumns);
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
    static const std::string byKey = fmt::format(
        "SELECT message, {} FROM osid_messaging.messages WHERE message = $1 AND mailbox = $2", kContentColumns);
    static const std::string byAlias =
        fmt::format("SELECT m.message, {} FROM osid_messaging.aliases AS a JOIN osid_messaging.messages AS m "
                    "ON m.message = a.message WHERE a.alias = $1 AND m.mailbox = $2",
                    kContentColumns);
    static const std::string byKeyLocked = byKey + " FOR UPDATE";
    static const std::string byAliasLocked = byAlias + " FOR UPDATE OF m";
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
    return std::make_shared<MessageSnapshot>(this->messageId(static_cast<MessageKey>(r.integer(0, 0))),
                                             readContent(r, 0, 1));
}

std::optional<KeyedContent> PostgresStore::find(MailboxKey mailbox, const Id &messageId) const
{
    auto r = findRow(mailbox, messageId);
    if (r.rows() == 0)
        return std::nullopt;
    return KeyedContent(static_cast<MessageKey>(r.integer(0, 0)), readContent(r, 0, 1));
}

std::vector<KeyedContent> PostgresStore::select(MailboxKey mailbox, const MessageQuery &query) const
{
    std::string where = "mailbox = $1";
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
    return keys(query("SELECT message FROM osid_messaging.messages WHERE mailbox = $1 ORDER BY message",
                      Params().add(mailbox)));
}

std::vector<MessageKey> PostgresStore::keysFromSender(MailboxKey mailbox, const Id &sender) const
{
    return keys(query("SELECT message FROM osid_messaging.messages WHERE mailbox = $1 AND sender_key = $2 AND sent",
                      Params().add(mailbox).add(canonical(sender))));
}

std::vector<MessageKey> PostgresStore::keysReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) const
{
    return keys(query("SELECT message FROM osid_messaging.messages WHERE mailbox = $1 AND received_time BETWEEN $2 "
                      "AND $3 AND sent",
                      Params().add(mailbox).add(from.toMicroseconds()).add(to.toMicroseconds())));
}

MessageKey PostgresStore::takeKey()
{
    if (nextKey_ == keys_.size()) {
        // A block of keys in one statement; the next block is larger, so a
        // large create takes few.
        keys_ = keys(query("SELECT nextval('osid_messaging.message_keys') FROM generate_series(1, $1)",
                           Params().add(static_cast<std::int64_t>(blockSize_))));
        std::sort(keys_.begin(), keys_.end());
        nextKey_ = 0;
        blockSize_ = std::min(blockSize_ * 2, kMaximumKeyBlock);
    }
    return keys_[nextKey_++];
}

void PostgresStore::Inserts::clear()
{
    rows = 0;
    for (auto &c : columns)
        c.assign(1, '{');
}

MessageKey PostgresStore::insert(MailboxKey mailbox, const MessageContent &c)
{
    const MessageKey key = takeKey();
    auto &col = inserts_.columns;
    appendPlain(col[kKey], std::to_string(key));
    appendPlain(col[kMailbox], std::to_string(mailbox));
    ::osid::postgres::appendArrayElement(col[kDisplayName], c.displayName);
    ::osid::postgres::appendArrayElement(col[kDescription], c.description);
    ::osid::postgres::appendArrayElement(col[kGenusType], c.genusType.isNull() ? "" : c.genusType.toString());
    ::osid::postgres::appendArrayElement(col[kGenusKey], c.genusType.isNull() ? "" : canonical(c.genusType));
    appendPlain(col[kDelivery], isDelivery(c) ? "t" : "f");
    ::osid::postgres::appendArrayElement(col[kSubject], c.subject);
    ::osid::postgres::appendArrayElement(col[kBody], c.text);
    appendPlain(col[kSent], c.sent ? "t" : "f");
    if (c.sent) {
        ::osid::postgres::appendArrayElement(col[kSender], c.senderId.toString());
        ::osid::postgres::appendArrayElement(col[kSenderKey], canonical(c.senderId));
        ::osid::postgres::appendArrayElement(col[kSendingAgent], c.sendingAgentId.toString());
        appendPlain(col[kSentTime], std::to_string(c.sentTime.toMicroseconds()));
        appendPlain(col[kReceivedTime], std::to_string(c.receivedTime.toMicroseconds()));
        ::osid::postgres::appendArrayElement(col[kRecipients], recipientText(c.recipientIds));
    } else {
        for (int column : {kSender, kSenderKey, kSendingAgent, kSentTime, kReceivedTime, kRecipients})
            appendPlain(col[column], "NULL");
    }
    ++inserts_.rows;
    return key;
}

void PostgresStore::queueInserts() const
{
    if (inserts_.rows == 0)
        return;
    Params params;
    for (auto &column : inserts_.columns) {
        column += '}';
        params.add(std::move(column));
    }
    inserts_.clear();
    db_->queue(kInsert, std::move(params));
}

void PostgresStore::replace(MailboxKey mailbox, MessageKey key, const MessageContent &previous, const MessageContent &c)
{
    // Only the columns that change are written: an update of the text
    // then leaves the sender and time indexes alone.
    std::string sets;
    Params params;
    params.add(key).add(mailbox);
    auto change = [&](const char *column, auto value) {
        params.add(value);
        sets += fmt::format("{}{} = ${}", sets.empty() ? "" : ", ", column, params.size());
    };
    auto changeNull = [&](const char *column) { sets += fmt::format("{}{} = NULL", sets.empty() ? "" : ", ", column); };
    auto text = [&](const char *column, const std::string &now, const std::string &before) {
        if (now != before)
            change(column, std::string_view(now));
    };
    text("display_name", c.displayName, previous.displayName);
    text("description", c.description, previous.description);
    text("subject", c.subject, previous.subject);
    text("body", c.text, previous.text);
    if (c.genusType != previous.genusType) {
        change("genus_type", c.genusType.isNull() ? std::string() : c.genusType.toString());
        change("genus_key", c.genusType.isNull() ? std::string() : canonical(c.genusType));
    }
    if (isDelivery(c) != isDelivery(previous))
        change("delivery", isDelivery(c));
    // Delivery columns: NULL for a draft.
    const bool flipped = c.sent != previous.sent;
    if (flipped)
        change("sent", c.sent);
    auto delivery = [&](bool differs, auto write) {
        if (flipped || (c.sent && differs))
            write();
    };
    delivery(c.senderId != previous.senderId, [&] {
        if (c.sent) {
            change("sender", c.senderId.toString());
            change("sender_key", canonical(c.senderId));
        } else {
            changeNull("sender");
            changeNull("sender_key");
        }
    });
    delivery(c.sendingAgentId != previous.sendingAgentId,
             [&] { c.sent ? change("sending_agent", c.sendingAgentId.toString()) : changeNull("sending_agent"); });
    delivery(c.sentTime != previous.sentTime,
             [&] { c.sent ? change("sent_time", c.sentTime.toMicroseconds()) : changeNull("sent_time"); });
    delivery(c.receivedTime != previous.receivedTime,
             [&] { c.sent ? change("received_time", c.receivedTime.toMicroseconds()) : changeNull("received_time"); });
    delivery(c.recipientIds != previous.recipientIds,
             [&] { c.sent ? change("recipients", recipientText(c.recipientIds)) : changeNull("recipients"); });
    if (sets.empty())
        return;
    queueInserts();
    db_->queue(fmt::format("UPDATE osid_messaging.messages SET {} WHERE message = $1 AND mailbox = $2", sets),
               std::move(params));
}

void PostgresStore::erase(MailboxKey mailbox, MessageKey key)
{
    queueInserts();
    db_->queue("DELETE FROM osid_messaging.messages WHERE message = $1 AND mailbox = $2",
               Params().add(key).add(mailbox));
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
    return this->keys(query("DELETE FROM osid_messaging.messages AS m USING unnest($2::int8[]) AS k (message) "
                            "WHERE m.message = k.message AND m.mailbox = $1 RETURNING m.message",
                            Params().add(mailbox).addArray(values)));
}

std::vector<MessageKey> PostgresStore::eraseAll(MailboxKey mailbox)
{
    return keys(
        query("DELETE FROM osid_messaging.messages WHERE mailbox = $1 RETURNING message", Params().add(mailbox)));
}

void PostgresStore::setAlias(const Id &aliasId, MessageKey key)
{
    queueInserts();
    db_->queue("INSERT INTO osid_messaging.aliases VALUES ($1, $2) "
               "ON CONFLICT (alias) DO UPDATE SET message = excluded.message",
               Params().add(canonical(aliasId)).add(key));
}

void PostgresStore::dropDanglingAliases()
{
    queueInserts();
    db_->queue("DELETE FROM osid_messaging.aliases a "
               "WHERE NOT EXISTS (SELECT 1 FROM osid_messaging.messages m WHERE m.message = a.message)");
}

} // namespace osid::impl::postgres
