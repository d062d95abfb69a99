#include "impl/memory/memory_store.h"

#include "impl/common/snapshots.h"
#include "messaging/records/delivery_record.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace osid::impl::memory {

namespace {

} // namespace

StoredMessage::StoredMessage(std::string_view displayName, std::string_view description, std::string_view subject,
                             std::string_view text, const std::vector<std::uint32_t> &recipients)
    : sizes_{static_cast<std::uint32_t>(displayName.size()), static_cast<std::uint32_t>(description.size()),
             static_cast<std::uint32_t>(subject.size()), static_cast<std::uint32_t>(text.size())},
      recipientCount_(static_cast<std::uint32_t>(recipients.size()))
{
    const std::size_t handles = recipients.size() * sizeof(std::uint32_t);
    const std::size_t total = handles + displayName.size() + description.size() + subject.size() + text.size();
    if (total == 0)
        return;
    data_ = std::make_shared_for_overwrite<char[]>(total);
    char *out = data_.get();
    if (handles != 0)
        std::memcpy(out, recipients.data(), handles);
    out += handles;
    for (auto part : {displayName, description, subject, text}) {
        if (!part.empty())
            std::memcpy(out, part.data(), part.size());
        out += part.size();
    }
}

StoreState::StoreState(std::string authority)
    : authority_(std::move(authority)), messageSpace_(authority_, kMessageNamespace),
      mailboxSpace_(authority_, kMailboxNamespace)
{
    createMailbox("Default mailbox", "The mailbox sessions are bound to unless told otherwise.", Type());
}

std::optional<MailboxKey> StoreState::findMailbox(const Id &mailboxId) const
{
    auto n = mailboxSpace_.key(mailboxId);
    if (!n || *n == 0 || *n > mailboxes_.size())
        return std::nullopt;
    return *n - 1;
}

std::vector<MailboxKey> StoreState::mailboxes() const
{
    std::vector<MailboxKey> out(mailboxes_.size());
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = i;
    return out;
}

MailboxKey StoreState::createMailbox(const std::string &displayName, const std::string &description,
                                     const Type &genusType)
{
    auto mb = std::make_unique<MailboxData>();
    mb->id = mailboxSpace_.id(mailboxes_.size() + 1);
    mb->displayName = displayName;
    mb->description = description;
    mb->genusType = genusType;
    mailboxes_.push_back(std::move(mb));
    record(MailboxCreated{});
    return mailboxes_.size() - 1;
}

std::shared_ptr<messaging::Mailbox> StoreState::mailbox(MailboxKey mailbox) const
{
    const auto &mb = data(mailbox);
    return std::make_shared<MailboxSnapshot>(ObjectFields{mb.id, mb.displayName, mb.description, mb.genusType, {}});
}

Id StoreState::messageId(MessageKey key) const { return messageSpace_.id(key); }

bool StoreState::isPrimarySpace(const Id &id) const { return messageSpace_.contains(id); }

std::optional<MessageKey> StoreState::resolve(MailboxKey mailbox, const Id &messageId) const
{
    const auto key = unresolvedKey(messageId);
    if (!key || !data(mailbox).messages.contains(*key))
        return std::nullopt;
    return key;
}

std::optional<MailboxKey> StoreState::aliasMailbox(const Id &aliasId) const
{
    const auto *key = aliases_.find(aliasId);
    if (key == nullptr)
        return std::nullopt;
    for (std::size_t mailbox = 0; mailbox < mailboxes_.size(); ++mailbox)
        if (mailboxes_[mailbox] && mailboxes_[mailbox]->messages.contains(*key))
            return static_cast<MailboxKey>(mailbox);
    return std::nullopt;
}

const StoredMessage &StoreState::stored(MailboxKey mailbox, MessageKey key) const
{
    const auto *m = data(mailbox).messages.find(key);
    if (m == nullptr)
        throw std::out_of_range("no such message key");
    return *m;
}

template <class Out>
void StoreState::fillDelivery(Out &out, const StoredMessage &m) const
{
    out.sent = m.sent;
    if (!m.sent)
        return;
    out.senderId = ids_.value(m.sender);
    out.sendingAgentId = ids_.value(m.sendingAgent);
    out.recipientIds.reserve(m.recipientCount());
    for (std::size_t i = 0; i < m.recipientCount(); ++i)
        out.recipientIds.push_back(ids_.value(m.recipient(i)));
    out.sentTime = DateTime::fromMicroseconds(m.sentTime);
    out.receivedTime = DateTime::fromMicroseconds(m.receivedTime);
}

MessageContent StoreState::content(MailboxKey mailbox, MessageKey key) const
{
    MessageContent c;
    fill(c, stored(mailbox, key));
    return c;
}

std::vector<std::optional<KeyedView>> StoreState::findAll(MailboxKey mailbox, const std::vector<Id> &messageIds) const
{
    const auto &messages = data(mailbox).messages;
    std::vector<std::optional<KeyedView>> out(messageIds.size());
    for (std::size_t i = 0; i < messageIds.size(); ++i) {
        const auto key = unresolvedKey(messageIds[i]);
        if (const auto *m = key ? messages.find(*key) : nullptr)
            out[i].emplace(*key, view(*m));
    }
    return out;
}

std::optional<MessageKey> StoreState::unresolvedKey(const Id &messageId) const
{
    if (isPrimarySpace(messageId))
        return messageSpace_.key(messageId);
    if (const auto *aliased = aliases_.find(messageId))
        return *aliased;
    return std::nullopt;
}

void StoreState::fill(MessageContent &c, const StoredMessage &m) const
{
    c.displayName = m.displayName();
    c.description = m.description();
    c.genusType = typeHandles_.value(m.genusType);
    if (m.delivery)
        c.recordTypes.push_back(messaging::records::deliveryRecordType());
    c.subject = m.subject();
    c.text = m.text();
    fillDelivery(c, m);
}

MessageView StoreState::view(const StoredMessage &m) const
{
    MessageView v;
    v.owner = m.block();
    v.displayName = m.displayName();
    v.description = m.description();
    v.subject = m.subject();
    v.text = m.text();
    v.genusType = typeHandles_.value(m.genusType);
    v.delivery = m.delivery;
    fillDelivery(v, m);
    return v;
}

std::shared_ptr<messaging::Message> StoreState::message(MailboxKey mailbox, MessageKey key) const
{
    return MessageSnapshot::make(messageId(key), view(stored(mailbox, key)));
}

bool StoreState::matches(const StoredMessage &m, const MessageQuery &q) const
{
    // A value the store has never interned is on no message.
    auto is = [](std::uint32_t handle, std::optional<std::uint32_t> wanted) { return wanted && handle == *wanted; };
    if (q.genusType && !is(m.genusType, typeHandles_.find(*q.genusType)))
        return false;
    if (q.deliveryRecordOnly && !m.delivery)
        return false;
    if (q.sent && m.sent != *q.sent)
        return false;
    if (q.sender && !(m.sent && is(m.sender, ids_.find(*q.sender))))
        return false;
    if (q.recipient) {
        auto r = ids_.find(*q.recipient);
        if (!m.sent || !r)
            return false;
        bool found = false;
        for (std::size_t i = 0; i < m.recipientCount() && !found; ++i)
            found = m.recipient(i) == *r;
        if (!found)
            return false;
    }
    auto within = [](std::int64_t t, const std::pair<DateTime, DateTime> &range) {
        return t >= range.first.toMicroseconds() && t <= range.second.toMicroseconds();
    };
    if (q.sentTime && !(m.sent && within(m.sentTime, *q.sentTime)))
        return false;
    if (q.receivedTime && !(m.sent && within(m.receivedTime, *q.receivedTime)))
        return false;
    return true;
}

std::vector<KeyedContent> StoreState::select(MailboxKey mailbox, const MessageQuery &query) const
{
    std::vector<std::pair<std::pair<std::int64_t, MessageKey>, const StoredMessage *>> hits;
    data(mailbox).messages.forEach([&](MessageKey key, const StoredMessage &m) {
        if (matches(m, query))
            hits.push_back({{query.orderBySentTime ? m.sentTime : 0, key}, &m});
    });
    std::sort(hits.begin(), hits.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<KeyedContent> out;
    out.reserve(hits.size());
    for (const auto &[order, m] : hits)
        out.emplace_back(order.second, content(mailbox, order.second));
    return out;
}

std::vector<MessageKey> StoreState::allKeys(MailboxKey mailbox) const
{
    std::vector<MessageKey> keys;
    keys.reserve(data(mailbox).messages.size());
    data(mailbox).messages.forEach([&](MessageKey key, const StoredMessage &) { keys.push_back(key); });
    return keys;
}

StoredMessage StoreState::toStored(const MessageContent &c, const StoredMessage *previous)
{
    // An Id that content() gave from `previous` is the interner's own, so
    // comparing it with the one of the old handle is a pointer comparison:
    // an update that keeps the delivery fields interns nothing.
    auto handle = [&](const Id &id, std::uint32_t old) {
        return old != 0 && ids_.value(old) == id ? old : ids_.intern(id);
    };
    recipients_.clear();
    if (c.sent)
        for (std::size_t i = 0; i < c.recipientIds.size(); ++i)
            recipients_.push_back(handle(c.recipientIds[i], previous && previous->sent && i < previous->recipientCount()
                                                                ? previous->recipient(i)
                                                                : 0));
    StoredMessage m(c.displayName, c.description, c.subject, c.text, recipients_);
    m.genusType = c.genusType.isNull() ? 0 : typeHandles_.intern(c.genusType);
    for (const auto &t : c.recordTypes)
        if (t == messaging::records::deliveryRecordType())
            m.delivery = true;
    m.sent = c.sent;
    if (c.sent) {
        const bool wasSent = previous && previous->sent;
        m.sender = handle(c.senderId, wasSent ? previous->sender : 0);
        m.sendingAgent = handle(c.sendingAgentId, wasSent ? previous->sendingAgent : 0);
        m.sentTime = c.sentTime.toMicroseconds();
        m.receivedTime = c.receivedTime.toMicroseconds();
    }
    return m;
}

void StoreState::index(MailboxData &mb, MessageKey key, const StoredMessage &m)
{
    if (!m.sent)
        return;
    mb.bySender.insert({m.sender, key});
    mb.byReceived.insert({m.receivedTime, key});
}

void StoreState::unindex(MailboxData &mb, MessageKey key, const StoredMessage &m)
{
    if (!m.sent)
        return;
    mb.bySender.erase({m.sender, key});
    mb.byReceived.erase({m.receivedTime, key});
}

MessageKey StoreState::insert(MailboxKey mailbox, const MessageContent &content)
{
    auto &mb = data(mailbox);
    StoredMessage m = toStored(content);
    const MessageKey key = nextKey_;
    record(Inserted{mailbox, key});
    auto &stored = mb.messages.insert(key, std::move(m));
    ++nextKey_;
    index(mb, key, stored);
    return key;
}

void StoreState::replace(MailboxKey mailbox, MessageKey key, const MessageContent & /*previous*/,
                         const MessageContent &content)
{
    auto &m = *data(mailbox).messages.find(key);
    // Convert first: if it fails, the stored message is untouched.
    put(mailbox, key, m, toStored(content, &m));
}

UpdateOutcome StoreState::updateMessage(MailboxKey mailbox, const Id &messageId, const MessageChanges &changes)
{
    const auto key = resolve(mailbox, messageId);
    if (!key)
        return {UpdateOutcome::NoMessage, {}, {}};
    return update(mailbox, *key, *data(mailbox).messages.find(*key), changes);
}

std::vector<UpdateOutcome> StoreState::updateMessages(MailboxKey mailbox,
                                                      const std::vector<std::pair<Id, MessageChanges>> &updates)
{
    // Room in the journal for every update at once, rather than growing it
    // (and moving what it holds) as they come.
    makeRoomInJournal(updates.size());
    auto &messages = data(mailbox).messages;
    std::vector<UpdateOutcome> out;
    out.reserve(updates.size());
    for (const auto &[id, changes] : updates) {
        // One search of the table (resolve() and then find() would make two).
        const auto key = unresolvedKey(id);
        auto *m = key ? messages.find(*key) : nullptr;
        out.push_back(m ? update(mailbox, *key, *m, changes) : UpdateOutcome{UpdateOutcome::NoMessage, {}, {}});
    }
    return out;
}

UpdateOutcome StoreState::update(MailboxKey mailbox, MessageKey key, StoredMessage &m, const MessageChanges &changes)
{
    // The new version is built from the stored one and the changes, with
    // no MessageContent in between: what does not change is copied from
    // the block, handles and all. Delivery fields change only on a sent
    // message.
    std::int64_t sentTime = m.sentTime;
    std::int64_t receivedTime = m.receivedTime;
    if (m.sent) {
        const auto before = DateTime::fromMicroseconds(m.sentTime);
        receivedTime = changes.receivedTimeAfter(before, DateTime::fromMicroseconds(m.receivedTime)).toMicroseconds();
        sentTime = changes.sentTime.value_or(before).toMicroseconds();
        if (receivedTime < sentTime)
            return {UpdateOutcome::ReceivedBeforeSent, DateTime::fromMicroseconds(sentTime),
                    DateTime::fromMicroseconds(receivedTime)};
    }
    recipients_.clear();
    if (m.sent && changes.recipientIds)
        for (const auto &r : *changes.recipientIds)
            recipients_.push_back(ids_.intern(r));
    else
        for (std::size_t i = 0; i < m.recipientCount(); ++i)
            recipients_.push_back(m.recipient(i));
    StoredMessage fresh(changes.displayName.value_or(m.displayName()), changes.description.value_or(m.description()),
                        changes.subject.value_or(m.subject()), changes.text.value_or(m.text()), recipients_);
    fresh.genusType = !changes.genusType            ? m.genusType
                      : changes.genusType->isNull() ? 0
                                                    : typeHandles_.intern(*changes.genusType);
    fresh.delivery = m.delivery;
    fresh.sent = m.sent;
    fresh.sendingAgent = m.sendingAgent;
    fresh.sender = m.sent && changes.senderId ? ids_.intern(*changes.senderId) : m.sender;
    fresh.sentTime = sentTime;
    fresh.receivedTime = receivedTime;
    put(mailbox, key, m, std::move(fresh));
    return {UpdateOutcome::Updated, {}, {}};
}

void StoreState::put(MailboxKey mailbox, MessageKey key, StoredMessage &m, StoredMessage fresh)
{
    auto &mb = data(mailbox);
    // Journal first: if that fails, the stored message and its index
    // entries are untouched.
    if (journaling_)
        journal_.emplace_back(Replaced{mailbox, key, {}});
    // The indexes change only if what they order by does (an update of
    // the text leaves them alone).
    const bool reindex = fresh.sent != m.sent || fresh.sender != m.sender || fresh.receivedTime != m.receivedTime;
    if (reindex)
        unindex(mb, key, m);
    if (journaling_)
        std::get<Replaced>(journal_.back()).previous = std::move(m);
    m = std::move(fresh);
    if (reindex)
        index(mb, key, m);
}

void StoreState::erase(MailboxKey mailbox, MessageKey key)
{
    auto &mb = data(mailbox);
    const auto *m = mb.messages.find(key);
    if (m == nullptr)
        return;
    // Make room in the journal before changing anything, then move the
    // message there rather than copy it.
    if (journaling_)
        journal_.emplace_back(Erased{mailbox, key, {}});
    unindex(mb, key, *m);
    auto message = mb.messages.take(key);
    if (journaling_)
        std::get<Erased>(journal_.back()).message = std::move(message);
}

namespace {

// Removes `entries` from `index`, in order. The entries of the index a
// selection came from are in order already (a sender's run, a span of
// time), so only the other's are sorted.
template <class V>
void eraseEntries(SortedChunks<IndexEntry<V>> &index, std::vector<IndexEntry<V>> &entries) noexcept
{
    if (!std::is_sorted(entries.begin(), entries.end()))
        std::sort(entries.begin(), entries.end());
    index.eraseSorted(entries.data(), entries.data() + entries.size());
}

} // namespace

std::vector<MessageKey> StoreState::eraseKeys(MailboxKey mailbox, std::vector<MessageKey> keys)
{
    auto &mb = data(mailbox);
    // Every allocation first (the journal's room, the table's free list,
    // the index entries to remove), so that nothing below can fail with
    // the store half changed.
    makeRoomInJournal(keys.size());
    mb.messages.reserveTakes(keys.size());
    std::vector<IndexEntry<std::uint32_t>> bySender;
    std::vector<IndexEntry<std::int64_t>> byReceived;
    bySender.reserve(keys.size());
    byReceived.reserve(keys.size());
    for (auto key : keys) {
        const auto *m = mb.messages.find(key);
        if (m == nullptr)
            continue;
        if (m->sent) {
            bySender.push_back({m->sender, key});
            byReceived.push_back({m->receivedTime, key});
        }
        auto message = mb.messages.take(key);
        if (journaling_)
            journal_.emplace_back(Erased{mailbox, key, std::move(message)});
    }
    // The index entries leave in order, each index in one pass: a run of
    // them (one sender's, a span of time) is one move per chunk rather than
    // a search and a move per message.
    eraseEntries(mb.bySender, bySender);
    eraseEntries(mb.byReceived, byReceived);
    return keys;
}

std::vector<MessageKey> StoreState::eraseAll(MailboxKey mailbox)
{
    auto &mb = data(mailbox);
    auto keys = allKeys(mailbox);
    if (keys.empty())
        return keys;
    // The table and its indexes leave as a whole (to the journal, or to be
    // freed below): nothing is unindexed message by message.
    auto taken = std::make_unique<Tables>();
    makeRoomInJournal();
    std::swap(taken->messages, mb.messages);
    std::swap(taken->bySender, mb.bySender);
    std::swap(taken->byReceived, mb.byReceived);
    if (journaling_)
        journal_.emplace_back(Emptied{mailbox, std::move(taken)});
    return keys;
}

void StoreState::setAlias(const Id &aliasId, MessageKey key)
{
    // One search of the map; the journal has room before anything changes.
    makeRoomInJournal();
    const auto previous = aliases_.set(aliasId, key);
    record(Aliased{aliasId, previous});
}

AliasOutcome StoreState::aliasMessage(MailboxKey mailbox, const Id &referenceId, const Id &aliasId)
{
    return aliasMessage(mailbox, referenceId, aliasId, aliasId.hash());
}

AliasOutcome StoreState::aliasMessage(MailboxKey mailbox, const Id &referenceId, const Id &aliasId,
                                      std::size_t aliasHash)
{
    const auto key = resolve(mailbox, referenceId);
    if (!key)
        return AliasOutcome::NoTarget;
    if (isPrimarySpace(aliasId))
        return AliasOutcome::PrimarySpace;
    // One search of the table for the check and the change; the journal
    // has room before anything changes.
    makeRoomInJournal();
    if (auto *current = aliases_.find(aliasId, aliasHash)) {
        // An alias of a message of another mailbox is not this mailbox's.
        if (!data(mailbox).messages.contains(*current))
            for (std::size_t other = 0; other < mailboxes_.size(); ++other)
                if (other != mailbox && mailboxes_[other]->messages.contains(*current))
                    return AliasOutcome::OtherMailbox;
        record(Aliased{aliasId, *current});
        *current = *key;
        return AliasOutcome::Set;
    }
    aliases_.insert(aliasId, aliasHash, *key);
    record(Aliased{aliasId, std::nullopt});
    return AliasOutcome::Set;
}

std::vector<AliasOutcome> StoreState::aliasMessages(MailboxKey mailbox,
                                                    const std::vector<transaction::batch::AliasRequest> &requests)
{
    // Each alias reads data scattered over memory: the reference Id, the
    // message's index entry, the alias's slot, and for an alias already
    // there its stored Id and its old message's entry. Waiting for each in
    // turn is most of the cost, so what a request will read is loaded a few
    // requests ahead, in stages, each once the previous one has arrived.
    const auto &messages = data(mailbox).messages;
    // Each alias's hash, made once (at stage 2) for the later stages and
    // the search itself: kept for the 16 requests in between.
    std::size_t hashes[32];
    auto hashOf = [&](std::size_t i) -> std::size_t & { return hashes[i % 32]; };
    auto ahead = [&](std::size_t i, int stage) {
        if (i >= requests.size())
            return;
        const Id &reference = requests[i].getReferenceId();
        const Id &alias = requests[i].getAliasId();
        if (reference.isNull() || alias.isNull())
            return;
        switch (stage) {
        case 0: // the Ids' blocks (an Id made with a key has none)
            if (!reference.madeWithKey())
                __builtin_prefetch(&reference.getIdentifier());
            if (!alias.madeWithKey())
                __builtin_prefetch(&alias.getIdentifier());
            break;
        case 1: // the alias's text
            if (!alias.madeWithKey())
                __builtin_prefetch(alias.getIdentifier().data());
            break;
        case 2: // the message's index entry, the alias's slot
            if (auto key = messageSpace_.key(reference))
                messages.prefetch(*key);
            aliases_.prefetch(hashOf(i) = alias.hash());
            break;
        case 3: // if the alias is there: its stored Id, its old message's entry
            if (auto [stored, key] = aliases_.peek(hashOf(i)); stored != nullptr) {
                if (!stored->madeWithKey())
                    __builtin_prefetch(&stored->getIdentifier());
                messages.prefetch(key);
            }
            break;
        default: // and the stored Id's parts, which a search compares
            if (auto stored = aliases_.peek(hashOf(i)).first; stored != nullptr && !stored->madeWithKey()) {
                __builtin_prefetch(stored->getIdentifier().data());
                __builtin_prefetch(&stored->getIdentifierNamespace());
                __builtin_prefetch(&stored->getAuthority());
            }
        }
    };
    std::vector<AliasOutcome> out;
    out.reserve(requests.size());
    // The first 16 requests have no stage 2 in the loop.
    for (std::size_t i = 0; i < std::min<std::size_t>(16, requests.size()); ++i)
        ahead(i, 2);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        ahead(i + 32, 0);
        ahead(i + 24, 1);
        ahead(i + 16, 2);
        ahead(i + 8, 3);
        ahead(i + 4, 4);
        const auto &r = requests[i];
        out.push_back(r.getReferenceId().isNull() || r.getAliasId().isNull()
                          ? AliasOutcome::NullId
                          : aliasMessage(mailbox, r.getReferenceId(), r.getAliasId(), hashOf(i)));
    }
    return out;
}

void StoreState::dropDanglingAliases()
{
    // With no message left anywhere, every alias goes, at once.
    if (std::all_of(mailboxes_.begin(), mailboxes_.end(), [](const auto &mb) { return mb->messages.size() == 0; })) {
        if (aliases_.empty())
            return;
        auto cleared = std::make_unique<AliasTable>();
        makeRoomInJournal();
        std::swap(*cleared, aliases_);
        if (journaling_)
            journal_.emplace_back(AliasesCleared{std::move(cleared)});
        return;
    }
    AliasesDropped dropped;
    auto live = [&](MessageKey key) {
        return std::any_of(mailboxes_.begin(), mailboxes_.end(),
                           [&](const auto &mb) { return mb->messages.contains(key); });
    };
    aliases_.forEach([&](const Id &alias, MessageKey key) {
        if (!live(key))
            dropped.aliases.emplace_back(alias, key);
    });
    if (dropped.aliases.empty())
        return;
    makeRoomInJournal();
    aliases_.retainIf([&](const Id &, MessageKey key) { return live(key); });
    record(std::move(dropped));
}

void StoreState::rollBack() noexcept
{
    // Each step puts back exactly what its forward step changed, so it
    // only moves values into places they held before.
    for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
        std::visit(
            [this](auto &u) {
                using T = std::decay_t<decltype(u)>;
                if constexpr (std::is_same_v<T, Inserted>) {
                    auto &mb = data(u.mailbox);
                    if (const auto *found = mb.messages.find(u.key)) {
                        unindex(mb, u.key, *found);
                        mb.messages.take(u.key);
                    }
                } else if constexpr (std::is_same_v<T, Replaced>) {
                    auto &mb = data(u.mailbox);
                    auto &m = *mb.messages.find(u.key);
                    unindex(mb, u.key, m);
                    m = std::move(u.previous);
                    index(mb, u.key, m);
                } else if constexpr (std::is_same_v<T, Erased>) {
                    auto &mb = data(u.mailbox);
                    auto &m = mb.messages.insert(u.key, std::move(u.message));
                    index(mb, u.key, m);
                } else if constexpr (std::is_same_v<T, Aliased>) {
                    if (u.previous)
                        aliases_.set(u.aliasId, *u.previous);
                    else
                        aliases_.erase(u.aliasId);
                } else if constexpr (std::is_same_v<T, MailboxCreated>) {
                    mailboxes_.pop_back();
                } else if constexpr (std::is_same_v<T, Emptied>) {
                    // Nothing entered the mailbox since (later changes were
                    // undone first), so the taken tables are all of it.
                    auto &mb = data(u.mailbox);
                    std::swap(mb.messages, u.taken->messages);
                    std::swap(mb.bySender, u.taken->bySender);
                    std::swap(mb.byReceived, u.taken->byReceived);
                } else if constexpr (std::is_same_v<T, AliasesCleared>) {
                    std::swap(aliases_, *u.aliases);
                } else {
                    for (auto &[alias, key] : u.aliases)
                        aliases_.set(alias, key);
                }
            },
            *it);
    }
    journal_.clear();
}

std::vector<MessageKey> StoreState::keysFromSender(MailboxKey mailbox, const Id &sender) const
{
    std::vector<MessageKey> out;
    auto handle = ids_.find(sender);
    if (!handle)
        return out;
    data(mailbox).bySender.visitFrom({*handle, 0}, [&](const auto &entry) {
        if (entry.value != *handle)
            return false;
        out.push_back(entry.key);
        return true;
    });
    return out;
}

std::vector<MessageKey> StoreState::keysReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) const
{
    std::vector<MessageKey> out;
    const auto last = to.toMicroseconds();
    data(mailbox).byReceived.visitFrom({from.toMicroseconds(), 0}, [&](const auto &entry) {
        if (entry.value > last)
            return false;
        out.push_back(entry.key);
        return true;
    });
    return out;
}

} // namespace osid::impl::memory
