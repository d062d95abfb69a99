// The SQLite provider's store.
//
// SqliteStore: the MessageStore of one session, over a connection of its
// own. A read section runs in a read transaction (one consistent view); a
// write section in BEGIN IMMEDIATE ... COMMIT, rolled back if it fails.
// Inside an OSID transaction the sections become savepoints of it, so a
// failed call is undone without ending the transaction.

#pragma once

#include "impl/common/id_space.h"
#include "impl/common/message_store.h"
#include "impl/common/sql_transaction.h"
#include "impl/sqlite/ids_by_handle.h"
#include "impl/sqlite/known_keys.h"
#include "impl/sqlite/sqlite_database.h"
#include "impl/sqlite/sqlite_schema.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace osid::impl::sqlite {

class SqliteStore final : public MessageStore, private StoreWriter, public std::enable_shared_from_this<SqliteStore> {
public:
    explicit SqliteStore(std::shared_ptr<Database> database);
    ~SqliteStore() override;

    const std::string &authority() const override { return database_->authority(); }
    bool supportsTransactions() const override { return true; }
    std::unique_ptr<transaction::Transaction> startTransaction() override;
    std::shared_ptr<messaging::Message> lookupMessage(MailboxKey mailbox, const Id &messageId) override;

protected:
    void readSection(const std::function<void(const StoreReader &)> &section) override;
    void writeSection(const std::function<void(StoreWriter &)> &section) override;

private:
    friend class SqlTransaction<SqliteStore>;

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
    void erase(MailboxKey mailbox, MessageKey key) override;
    std::vector<MessageKey> eraseAll(MailboxKey mailbox) override;
    void setAlias(const Id &aliasId, MessageKey key) override;
    AliasOutcome aliasMessage(MailboxKey mailbox, const Id &referenceId, const Id &aliasId) override;
    std::vector<AliasOutcome> aliasMessages(MailboxKey mailbox,
                                            const std::vector<transaction::batch::AliasRequest> &requests) override;
    void dropDanglingAliases() override;

    // Names: Ids and Types stored once, referred to by handle.
    std::optional<std::int64_t> findName(const std::string &canonical) const;
    std::int64_t insertName(const std::string &canonical, const std::string &text);
    std::optional<std::int64_t> findId(const Id &id) const;
    std::optional<std::int64_t> findType(const Type &type) const;
    std::int64_t internId(const Id &id);
    std::int64_t internType(const Type &type);
    const std::string &nameText(std::int64_t handle) const;
    Id idOf(std::int64_t handle) const;
    // The canonical text of an alias Id, as the aliases table keys it; the
    // reference is valid until the next call.
    const std::string &aliasText(const Id &aliasId) const;

    // Where an alias is kept (sqlite_schema.h): (number, space) in
    // numbered_aliases, or its canonical text in aliases (a view valid
    // until the next call).
    struct AliasKey {
        bool numbered = false;
        std::int64_t number = 0;
        std::int64_t space = 0;
        std::string_view text;
    };
    // The key of an alias that may exist; nullopt when none can, being
    // numbered in a space that has no handle.
    std::optional<AliasKey> findAliasKey(const Id &aliasId) const;
    // The key an alias is set under, giving its space a handle if it has
    // none (inside a write section).
    AliasKey makeAliasKey(const Id &aliasId);
    // The message the alias kept under `alias` names, if it exists.
    std::optional<MessageKey> aliasTarget(const AliasKey &alias) const;
    // The handle of a numbered alias Id's space, if it has one.
    std::optional<std::int64_t> findAliasSpace(const Id &aliasId) const;

    std::vector<MessageKey> keys(const std::string &sql, MailboxKey mailbox,
                                 const std::function<void(Statement &)> &bind) const;
    MessageContent readContent(const Statement &row, int firstColumn) const;
    // The same columns as a snapshot's view, its strings in one block.
    MessageView readView(const Statement &row, int firstColumn) const;
    // The delivery columns, and the recipients of the row's packed
    // content, into a MessageContent or MessageView.
    template <class Out>
    void readDelivery(Out &out, const Statement &row, int firstColumn, const PackedContent &packed) const;
    // Finds the row of the message `messageId` names in `mailbox` with one
    // statement, and calls read(key, row) if there is one; the row's
    // content columns start at column 1.
    void findRow(MailboxKey mailbox, const Id &messageId,
                 const std::function<void(MessageKey, const Statement &)> &read) const;
    void bindContent(Statement &statement, const MessageContent &content);
    // The `content` column's value for `content`, in packed_ (valid until
    // the next call).
    const std::string &packedContent(const MessageContent &content);
    void requireCallsAllowed() const;
    // Ends the OSID transaction with its changes (SqlTransaction).
    void commitTransaction();
    // Ends the OSID transaction without its changes; the message keys it
    // took stay taken.
    void abandonTransaction() noexcept;
    // Forgets what a rolled-back write may have put in the caches.
    void forgetCaches() noexcept;
    void flushNextKey();
    // knownKeys_, emptied first if another connection has committed since
    // it was last current. Inside a write section only: the write lock
    // keeps it current until the section ends.
    KnownKeys &currentKnownKeys();
    // Points the alias (kept under `alias`) at `target`, a message of
    // `mailbox` that knownKeys_ holds, without reading the message.
    AliasOutcome aliasKnownTarget(MailboxKey mailbox, const Id &referenceId, const Id &aliasId, const AliasKey &alias,
                                  MessageKey target);
    // The same for a run of requests (requests[index]) of one alias table,
    // each alias once, into out[index]: a full run in one statement.
    struct KnownTargetRequest {
        std::size_t index;
        AliasKey key;
        MessageKey target;
    };
    void aliasKnownTargets(MailboxKey mailbox, const std::vector<transaction::batch::AliasRequest> &requests,
                           const std::vector<KnownTargetRequest> &run, std::vector<AliasOutcome> &out);
    static bool sameAlias(const AliasKey &a, const AliasKey &b);

    std::shared_ptr<Database> database_;
    std::unique_ptr<Connection> db_;
    SqlTransactionState transaction_ = SqlTransactionState::None;
    // Statements run once per message, prepared once per store.
    struct HotStatements {
        sqlite3_stmt *findName = nullptr;
        sqlite3_stmt *insertName = nullptr;
        sqlite3_stmt *nameText = nullptr;
        sqlite3_stmt *inMailbox = nullptr;
        sqlite3_stmt *content = nullptr;
        sqlite3_stmt *lookupByKey = nullptr;
        sqlite3_stmt *insert = nullptr;
        sqlite3_stmt *erase = nullptr;
        sqlite3_stmt *dataVersion = nullptr;
        sqlite3_stmt *findAliasSpace = nullptr;
        // For each alias table: [0] aliases, [1] numbered_aliases.
        sqlite3_stmt *findAlias[2] = {};
        sqlite3_stmt *lookupByAlias[2] = {};
        sqlite3_stmt *aliasMailbox[2] = {};
        sqlite3_stmt *setAlias[2] = {};
        sqlite3_stmt *aliasMessage[2] = {};
        sqlite3_stmt *aliasKnownTarget[2] = {};
        sqlite3_stmt *aliasRun[2] = {};
    };
    mutable HotStatements hot_;
    // Handles never change once committed; reads cache them. Keyed by Id
    // and Type, whose equality is the one the names table keeps.
    mutable std::unordered_map<Id, std::int64_t> idHandles_;
    mutable std::unordered_map<Type, std::int64_t> typeHandles_;
    mutable std::unordered_map<std::int64_t, std::string> names_;
    mutable IdsByHandle ids_;
    KnownKeys knownKeys_;
    // PRAGMA data_version when knownKeys_ was last current (-1: never), and
    // whether it has been checked in this write section.
    std::int64_t knownKeysVersion_ = -1;
    bool knownKeysChecked_ = false;
    // packedContent()'s buffers, kept for their capacity.
    std::string packed_;
    std::vector<std::int64_t> recipientHandles_;
    // aliasText()'s last Id and text.
    mutable Id lastAlias_;
    mutable std::string lastAliasText_;
    // Alias space handles, by canonical text (like names, fixed once
    // committed); the last one found, by the namespace and authority as
    // given; and findAliasSpace()'s buffer.
    mutable std::unordered_map<std::string, std::int64_t> aliasSpaces_;
    mutable std::string lastSpaceNamespace_;
    mutable std::string lastSpaceAuthority_;
    mutable std::int64_t lastSpace_ = 0;
    mutable std::string spaceText_;
    // The next message key, read at the first insert of a write section.
    std::optional<MessageKey> nextKey_;
    const IdSpace messageSpace_;
    const IdSpace mailboxSpace_;
};

} // namespace osid::impl::sqlite
