// The PostgreSQL provider's store: the MessageStore of one session, over a
// connection of its own (from the Database's pool, postgres_database.h).
// A read section is one REPEATABLE READ, READ ONLY transaction (one
// consistent view); a write section one READ COMMITTED transaction,
// rolled back if it fails. Inside an OSID transaction the sections become
// savepoints of it, so a failed call is undone without ending it.
//
// Round trips: writes are not sent one by one. Inserts gather into the rows
// of one COPY ... FROM STDIN (FORMAT binary), updates into one UPDATE ...
// FROM unnest(...) per set of columns; single deletes and alias upserts
// wait in the connection's queue. All go out before the next read (other
// than of keys) or with the section's COMMIT: the queue in one pipeline, the
// COPY (which libpq keeps out of pipelines) in two round trips of its own.
// So a call that only updates or deletes costs one round trip, one that
// creates four (one reads the mailbox's generation, "Deleting all"),
// whatever its size, plus one per block of keys. Batch calls
// read what they need with one statement for all their items (findAll,
// updateMessages, aliasMessages), never one per item.
//
// Deleting all: a mailbox's messages are the rows of its current
// generation (schema step 4); every statement names the mailbox and reads
// its generation from the mailboxes table. A delete of all reads the keys
// it reports and moves the mailbox to a new generation, in one statement;
// the old rows are removed later by the purge (postgres_purge.h). So that
// no write lands in a generation that is being dropped, and no message is
// reported deleted twice, a section that changes a mailbox's messages
// holds its lock (a transaction-scoped advisory lock) shared, and a delete
// of all holds it exclusive: it waits for the writers before it, and the
// writers after it wait for its end, then see the new generation. What a
// write section reads of the mailbox's messages it reads under the lock,
// and write sections run READ COMMITTED whatever the database's default,
// so that each statement sees what its lock waited for.

#pragma once

#include "impl/common/id_space.h"
#include "impl/common/message_store.h"
#include "impl/common/sql_transaction.h"
#include "impl/postgres/postgres_database.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace osid::impl::postgres {

// The class of the mailbox locks (the first key of the two-key advisory
// locks): "OSIM" in ASCII.
constexpr std::int32_t kMailboxLockClass = 0x4f53494d;

class PostgresStore final : public MessageStore,
                            private StoreWriter,
                            public std::enable_shared_from_this<PostgresStore> {
public:
    explicit PostgresStore(std::shared_ptr<Database> database);
    ~PostgresStore() override;

    const std::string &authority() const override { return database_->authority(); }
    bool supportsTransactions() const override { return true; }
    std::unique_ptr<transaction::Transaction> startTransaction() override;
    std::shared_ptr<messaging::Message> lookupMessage(MailboxKey mailbox, const Id &messageId) override;

protected:
    void readSection(const std::function<void(const StoreReader &)> &section) override;
    void writeSection(const std::function<void(StoreWriter &)> &section) override;

private:
    friend class SqlTransaction<PostgresStore>;

    // StoreReader.
    MailboxKey defaultMailbox() const override { return 1; }
    std::optional<MailboxKey> findMailbox(const Id &mailboxId) const override;
    std::vector<MailboxKey> mailboxes() const override;
    std::shared_ptr<messaging::Mailbox> mailbox(MailboxKey mailbox) const override;
    Id messageId(MessageKey key) const override;
    bool isPrimarySpace(const Id &id) const override;
    std::optional<MessageKey> resolve(MailboxKey mailbox, const Id &messageId) const override;
    std::optional<MailboxKey> aliasMailbox(const Id &aliasId) const override;
    MessageContent content(MailboxKey mailbox, MessageKey key) const override;
    std::optional<KeyedContent> find(MailboxKey mailbox, const Id &messageId) const override;
    std::vector<std::optional<KeyedView>> findAll(MailboxKey mailbox, const std::vector<Id> &messageIds) const override;
    std::shared_ptr<messaging::Message> lookup(MailboxKey mailbox, const Id &messageId) const override;
    std::vector<KeyedContent> select(MailboxKey mailbox, const MessageQuery &query) const override;
    std::vector<MessageKey> allKeys(MailboxKey mailbox) const override;
    std::vector<MessageKey> keysFromSender(MailboxKey mailbox, const Id &sender) const override;
    std::vector<MessageKey> keysReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) const override;

    // StoreWriter.
    MailboxKey createMailbox(const std::string &displayName, const std::string &description,
                             const Type &genusType) override;
    MessageKey insert(MailboxKey mailbox, const MessageContent &content) override;
    void replace(MailboxKey mailbox, MessageKey key, const MessageContent &previous,
                 const MessageContent &content) override;
    std::vector<UpdateOutcome> updateMessages(MailboxKey mailbox,
                                              const std::vector<std::pair<Id, MessageChanges>> &updates) override;
    void erase(MailboxKey mailbox, MessageKey key) override;
    std::vector<MessageKey> eraseKeys(MailboxKey mailbox, std::vector<MessageKey> keys) override;
    std::vector<MessageKey> eraseFromSender(MailboxKey mailbox, const Id &sender) override;
    std::vector<MessageKey> eraseReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) override;
    std::vector<MessageKey> eraseAll(MailboxKey mailbox) override;
    void setAlias(const Id &aliasId, MessageKey key) override;
    std::vector<AliasOutcome> aliasMessages(MailboxKey mailbox,
                                            const std::vector<transaction::batch::AliasRequest> &requests) override;
    void dropDanglingAliases() override;

    // Runs a statement whose rows are needed, after the writes gathered so
    // far, in one round trip.
    Result query(const std::string &sql, const Params &params = Params()) const;
    // The message of `messageId` in `mailbox`, by key or through its alias,
    // with one statement: its key and content columns, or no rows.
    Result findRow(MailboxKey mailbox, const Id &messageId) const;
    // findRow() for each of `messageIds` with one statement: for each
    // message found, the position of its Id (from 1), its key and content
    // columns (with `timesOnly`: sent, sent_time and received_time, the
    // rows locked). An Id that names no message has no row.
    Result findRows(MailboxKey mailbox, const std::vector<Id> &messageIds, bool timesOnly) const;
    MessageContent readContent(const Result &rows, int row, int firstColumn) const;
    std::vector<MessageKey> keys(const Result &rows) const;
    // A message key, from this store's block of the key sequence.
    MessageKey takeKey();
    // Takes the mailbox's lock shared for the rest of the section (see
    // "Deleting all"), once: queued, it goes out before the statement that
    // writes.
    void lockMailbox(MailboxKey mailbox) const;
    // The mailbox's current generation, for the rows a section inserts,
    // read (once a section) under its lock.
    std::int64_t generationForInsert(MailboxKey mailbox);
    // lockMailbox() in a write section: what a write section reads of a
    // mailbox's messages is read under its lock, so that a delete of all
    // that committed while it waited is seen (a message it deleted is not
    // found again, and not reported deleted twice).
    void lockForWriting(MailboxKey mailbox) const;
    // Forgets the locks and generations of the section that ended.
    void endSection() noexcept;
    // Adds the update of `columns` (bits by the column's place in the
    // table) to `values` (NULL where unset) to those of the section.
    void addUpdate(MailboxKey mailbox, MessageKey key, std::uint32_t columns,
                   const std::optional<std::string> (&values)[16]);
    // Sends the gathered inserts as one COPY (after what is queued), then
    // queues the gathered updates as one UPDATE per set of columns.
    void sendInserts() const;
    void requireCallsAllowed() const;
    // Ends the OSID transaction with its changes (SqlTransaction).
    void commitTransaction();
    // Wakes the purge after a commit, if a delete of all ran before it.
    void wakePurgeIfDropped();
    // Ends the OSID transaction without its changes.
    void abandonTransaction() noexcept;
    // Forgets what a failed section gathered.
    void discardWrites() noexcept;
    // Connects again if the connection was lost between calls.
    void reconnectIfBroken();

    std::shared_ptr<Database> database_;
    std::unique_ptr<Connection> db_;
    SqlTransactionState transaction_ = SqlTransactionState::None;
    // Whether the running section writes (its reads of a message then lock
    // the row, so that an update sees the message as it stays).
    bool writing_ = false;
    // Keys taken from the sequence and not yet used, and how many the next
    // block takes (it grows while a section uses them up).
    std::vector<MessageKey> keys_;
    std::size_t nextKey_ = 0;
    std::size_t blockSize_ = 16;
    // The inserts of the running section, as the rows of one COPY.
    mutable ::osid::postgres::CopyRows inserts_;
    // The updates of the running section that replace() gathered, one
    // UPDATE ... FROM unnest(...) per mailbox and set of changed columns:
    // the key array, then one array per column written. A message is in
    // at most one of them (a second change of it sends them first).
    struct Updates {
        MailboxKey mailbox;
        std::uint32_t columns;
        std::vector<std::string> arrays;
    };
    mutable std::vector<Updates> updates_;
    mutable std::unordered_set<MessageKey> updatedKeys_;
    // The mailboxes whose lock the running section holds, and the
    // generations it read for inserts.
    mutable std::vector<MailboxKey> lockedMailboxes_;
    std::vector<std::pair<MailboxKey, std::int64_t>> generations_;
    // Whether a delete of all ran since the last commit: the purge is
    // woken after the next one.
    bool dropped_ = false;
    const IdSpace messageSpace_;
    const IdSpace mailboxSpace_;
};

} // namespace osid::impl::postgres
