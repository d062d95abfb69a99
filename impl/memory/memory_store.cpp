#include "impl/memory/memory_store.h"

#include "messaging/records/delivery_record.h"

#include <charconv>

namespace osid::impl::memory {

namespace {

constexpr const char *kMessageNamespace = "messaging.Message";
constexpr const char *kMailboxNamespace = "messaging.Mailbox";

// Parses a canonical decimal (no sign, no leading zero), so that each key
// has exactly one primary Id.
std::optional<std::uint64_t> parseKey(const std::string &s)
{
    if (s.empty() || (s.size() > 1 && s[0] == '0'))
        return std::nullopt;
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

} // namespace

StoreState::StoreState(std::string authority) : authority_(std::move(authority))
{
    createMailbox("Default mailbox", "The mailbox sessions are bound to unless told otherwise.", Type());
}

std::optional<MailboxIndex> StoreState::findMailbox(const Id &mailboxId) const
{
    if (!detail::equalsIgnoreCase(mailboxId.getAuthority(), authority_) ||
        !detail::equalsIgnoreCase(mailboxId.getIdentifierNamespace(), kMailboxNamespace))
        return std::nullopt;
    auto n = parseKey(mailboxId.getIdentifier());
    if (!n || *n == 0 || *n > mailboxes_.size())
        return std::nullopt;
    return static_cast<MailboxIndex>(*n - 1);
}

MailboxIndex StoreState::createMailbox(std::string displayName, std::string description, Type genusType)
{
    auto mb = std::make_unique<MailboxData>();
    mb->id = Id(authority_, kMailboxNamespace, std::to_string(mailboxes_.size() + 1));
    mb->displayName = std::move(displayName);
    mb->description = std::move(description);
    mb->genusType = std::move(genusType);
    mailboxes_.push_back(std::move(mb));
    return static_cast<MailboxIndex>(mailboxes_.size() - 1);
}

std::shared_ptr<messaging::Mailbox> StoreState::mailboxSnapshot(MailboxIndex index) const
{
    const auto &mb = *mailboxes_[index];
    return std::make_shared<MailboxSnapshot>(ObjectFields{mb.id, mb.displayName, mb.description, mb.genusType, {}});
}

Id StoreState::messageId(MessageKey key) const { return Id(authority_, kMessageNamespace, std::to_string(key)); }

bool StoreState::isPrimarySpace(const Id &id) const
{
    return detail::equalsIgnoreCase(id.getAuthority(), authority_) &&
           detail::equalsIgnoreCase(id.getIdentifierNamespace(), kMessageNamespace);
}

std::optional<MessageKey> StoreState::resolve(MailboxIndex mailbox, const Id &messageId) const
{
    std::optional<MessageKey> key;
    if (isPrimarySpace(messageId)) {
        key = parseKey(messageId.getIdentifier());
    } else if (auto it = aliases_.find(messageId); it != aliases_.end()) {
        key = it->second;
    }
    if (!key || find(mailbox, *key) == nullptr)
        return std::nullopt;
    return key;
}

const StoredMessage *StoreState::find(MailboxIndex mailbox, MessageKey key) const
{
    const auto &messages = mailboxes_[mailbox]->messages;
    auto it = messages.find(key);
    return it == messages.end() ? nullptr : &it->second;
}

MessageContent StoreState::content(const StoredMessage &m) const
{
    MessageContent c;
    c.displayName = m.displayName;
    c.description = m.description;
    c.genusType = typeHandles_.value(m.genusType);
    if (m.delivery)
        c.recordTypes.push_back(messaging::records::deliveryRecordType());
    c.subject = m.subject;
    c.text = m.text;
    c.sent = m.sent;
    if (m.sent) {
        c.senderId = ids_.value(m.sender);
        c.sendingAgentId = ids_.value(m.sendingAgent);
        c.recipientIds.reserve(m.recipients.size());
        for (auto r : m.recipients)
            c.recipientIds.push_back(ids_.value(r));
        c.sentTime = DateTime::fromMicroseconds(m.sentTime);
        c.receivedTime = DateTime::fromMicroseconds(m.receivedTime);
    }
    return c;
}

std::shared_ptr<messaging::Message> StoreState::snapshot(MessageKey key, const StoredMessage &m) const
{
    return std::make_shared<MessageSnapshot>(messageId(key), content(m));
}

StoredMessage StoreState::toStored(const MessageContent &c)
{
    StoredMessage m;
    m.subject = c.subject;
    m.text = c.text;
    m.displayName = c.displayName;
    m.description = c.description;
    m.genusType = c.genusType.isNull() ? 0 : typeHandles_.intern(c.genusType);
    for (const auto &t : c.recordTypes)
        if (t == messaging::records::deliveryRecordType())
            m.delivery = true;
    m.sent = c.sent;
    if (c.sent) {
        m.sender = ids_.intern(c.senderId);
        m.sendingAgent = ids_.intern(c.sendingAgentId);
        m.recipients.reserve(c.recipientIds.size());
        for (const auto &r : c.recipientIds)
            m.recipients.push_back(ids_.intern(r));
        m.sentTime = c.sentTime.toMicroseconds();
        m.receivedTime = c.receivedTime.toMicroseconds();
    }
    return m;
}

void StoreState::index(MailboxData &mb, MessageKey key, const StoredMessage &m)
{
    if (!m.sent)
        return;
    mb.bySender.emplace(m.sender, key);
    mb.byReceived.emplace(m.receivedTime, key);
}

void StoreState::unindex(MailboxData &mb, MessageKey key, const StoredMessage &m)
{
    if (!m.sent)
        return;
    mb.bySender.erase({m.sender, key});
    mb.byReceived.erase({m.receivedTime, key});
}

MessageKey StoreState::insert(MailboxIndex mailbox, const MessageContent &content)
{
    auto &mb = *mailboxes_[mailbox];
    const MessageKey key = nextKey_++;
    auto [it, inserted] = mb.messages.emplace(key, toStored(content));
    index(mb, key, it->second);
    return key;
}

void StoreState::replace(MailboxIndex mailbox, MessageKey key, const MessageContent &content)
{
    auto &mb = *mailboxes_[mailbox];
    auto &m = mb.messages.at(key);
    // Convert first: if that fails, the stored message and its index
    // entries are untouched.
    StoredMessage fresh = toStored(content);
    unindex(mb, key, m);
    m = std::move(fresh);
    index(mb, key, m);
}

void StoreState::erase(MailboxIndex mailbox, MessageKey key)
{
    auto &mb = *mailboxes_[mailbox];
    auto it = mb.messages.find(key);
    if (it == mb.messages.end())
        return;
    unindex(mb, key, it->second);
    mb.messages.erase(it);
}

void StoreState::dropDanglingAliases()
{
    std::erase_if(aliases_, [this](const auto &entry) {
        for (const auto &mb : mailboxes_)
            if (mb->messages.count(entry.second) != 0)
                return false;
        return true;
    });
}

std::vector<MessageKey> StoreState::keysFromSender(MailboxIndex mailbox, const Id &sender) const
{
    std::vector<MessageKey> out;
    auto handle = ids_.find(sender);
    if (!handle)
        return out;
    const auto &index = mailboxes_[mailbox]->bySender;
    for (auto it = index.lower_bound({*handle, 0}); it != index.end() && it->first == *handle; ++it)
        out.push_back(it->second);
    return out;
}

std::vector<MessageKey> StoreState::keysReceivedBetween(MailboxIndex mailbox, DateTime from, DateTime to) const
{
    std::vector<MessageKey> out;
    const auto &index = mailboxes_[mailbox]->byReceived;
    const auto last = index.upper_bound({to.toMicroseconds(), UINT64_MAX});
    for (auto it = index.lower_bound({from.toMicroseconds(), 0}); it != last; ++it)
        out.push_back(it->second);
    return out;
}

} // namespace osid::impl::memory
