#include "impl/memory/memory_sessions.h"

#include "impl/common/message_form.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

namespace osid::impl::memory {

using messaging::batch::MessageBatchForm;
using messaging::batch::MessageBatchFormList;
using messaging::records::deliveryRecordType;
using transaction::batch::AliasRequest;
using transaction::batch::AliasResponse;
using transaction::batch::AliasResponseList;
using transaction::batch::CreateResponse;
using transaction::batch::CreateResponseList;
using transaction::batch::DeleteResponse;
using transaction::batch::DeleteResponseList;
using transaction::batch::UpdateResponse;
using transaction::batch::UpdateResponseList;

namespace {

// The most forms one getMessageFormsForCreate() call hands out.
constexpr std::uint64_t kMaximumFormsPerCall = 1'000'000;

// Reads a consumer's list to the end.
template <class List>
std::vector<typename List::value_type> drain(List &list)
{
    std::vector<typename List::value_type> out;
    out.reserve(static_cast<std::size_t>(list.available()));
    for (const auto &item : list)
        out.push_back(item);
    return out;
}

void requireNotNull(const Id &id, const char *parameter)
{
    if (id.isNull())
        throw NullArgument(fmt::format("{} is null", parameter));
}

void requireOrdered(const DateTime &from, const DateTime &to, const char *fromName, const char *toName)
{
    if (from > to)
        throw InvalidArgument(fmt::format("{} ({}) is after {} ({})", fromName, from.toString(), toName,
                                          to.toString()));
}

// The distinct record types asked for, if this provider can give them all.
// Raises NullArgument or Unsupported.
std::vector<Type> messageRecordTypesOrThrow(const std::vector<Type> &requested)
{
    // Nulls first: NullArgument wins over Unsupported wherever they stand.
    for (const auto &t : requested)
        if (t.isNull())
            throw NullArgument("messageRecordTypes holds a null Type");
    std::vector<Type> out;
    for (const auto &t : requested) {
        if (t != deliveryRecordType())
            throw Unsupported(fmt::format("no message record of type {}; supported: {}", t.toString(),
                                          deliveryRecordType().toString()));
        if (std::find(out.begin(), out.end(), t) == out.end())
            out.push_back(t);
    }
    return out;
}

// A form's Id, even for a form of another provider that fails to say.
Id formIdOf(const messaging::MessageForm &form)
{
    try {
        return form.getId();
    } catch (const std::exception &) {
        return Id();
    }
}

// Refuses forms submitted twice in one call: only the first may succeed.
std::optional<FormRefusal> checkRepeated(std::unordered_set<const void *> &seen, const void *form)
{
    if (!seen.insert(form).second)
        return FormRefusal{ErrorCode::IllegalState, "the form appears more than once in this call"};
    return std::nullopt;
}

// Undo records of one write section: what to put back if it fails.
struct AliasUndo {
    Id aliasId;
    std::optional<MessageKey> previous;
};
struct UpdateUndo {
    MessageKey key;
    MessageContent previous;
};

// Alias `aliasId` to the message `referenceId`, or why not. Records what it
// replaced in `undo` when given.
std::optional<FormRefusal> applyAlias(StoreState &s, MailboxIndex mailbox, const Id &referenceId, const Id &aliasId,
                                      std::vector<AliasUndo> *undo = nullptr)
{
    if (referenceId.isNull() || aliasId.isNull())
        return FormRefusal{ErrorCode::NullArgument, "the reference Id and the alias Id must not be null"};
    auto key = s.resolve(mailbox, referenceId);
    if (!key)
        return FormRefusal{ErrorCode::NotFound,
                           fmt::format("no message {} in this mailbox", referenceId.toString())};
    if (s.isPrimarySpace(aliasId))
        return FormRefusal{ErrorCode::AlreadyExists,
                           fmt::format("{} lies in this provider's own message Id space and cannot be an alias",
                                       aliasId.toString())};
    if (undo == nullptr) {
        s.setAlias(aliasId, *key);
        return std::nullopt;
    }
    // Record before writing: copying the Id may fail, and a write that
    // succeeded must never go unrecorded.
    undo->push_back({aliasId, std::nullopt});
    undo->back().previous = s.setAlias(aliasId, *key);
    return std::nullopt;
}

// Updates the message of an admitted update form, or says why not. Records
// the old content in `undo` when given.
std::optional<FormRefusal> applyUpdate(StoreState &s, MailboxIndex mailbox, const MessageFormImpl &form,
                                       std::vector<UpdateUndo> *undo = nullptr)
{
    const Id target = form.getMessageId();
    auto key = s.resolve(mailbox, target);
    if (!key)
        return FormRefusal{ErrorCode::NotFound,
                           fmt::format("the message {} no longer exists in this mailbox", target.toString())};
    auto content = s.content(*s.find(mailbox, *key));
    if (undo != nullptr)
        undo->push_back({*key, content});
    form.applyTo(content);
    s.replace(mailbox, *key, content);
    return std::nullopt;
}

[[noreturn]] void throwRefusal(const FormRefusal &refusal) { throwError(refusal.code, refusal.message); }

} // namespace

// ---------------------------------------------------------------------------
// MessageBatchAdminSessionImpl

MessageBatchAdminSessionImpl::MessageBatchAdminSessionImpl(SessionContext context, MailboxIndex mailbox)
    : SessionBase(context.agent), context_(std::move(context)), mailbox_(mailbox)
{
}

Id MessageBatchAdminSessionImpl::getMailboxId() const
{
    requireOpen();
    return context_.store->read([&](const StoreState &s) { return s.mailbox(mailbox_).id; });
}

std::shared_ptr<messaging::Mailbox> MessageBatchAdminSessionImpl::getMailbox() const
{
    requireOpen();
    return context_.store->read([&](const StoreState &s) { return s.mailboxSnapshot(mailbox_); });
}

bool MessageBatchAdminSessionImpl::canCreateMessages() const { return requireOpen(), true; }

bool MessageBatchAdminSessionImpl::canCreateMessageWithRecordTypes(const std::vector<Type> &messageRecordTypes) const
{
    requireOpen();
    try {
        messageRecordTypesOrThrow(messageRecordTypes);
        return true;
    } catch (const Unsupported &) {
        return false;
    }
}

std::shared_ptr<messaging::MessageForm> MessageBatchAdminSessionImpl::getMessageFormForCreate(
    const std::vector<Type> &messageRecordTypes)
{
    requireOpen();
    return MessageFormImpl::forCreate(context_.rules, serial(), messageRecordTypesOrThrow(messageRecordTypes));
}

std::shared_ptr<messaging::Message> MessageBatchAdminSessionImpl::createMessage(messaging::MessageForm &messageForm)
{
    requireOpen();
    auto admitted = MessageFormImpl::admit(messageForm, serial(), false);
    if (auto *refusal = std::get_if<FormRefusal>(&admitted))
        throwRefusal(*refusal);
    auto *form = std::get<MessageFormImpl *>(admitted);
    auto content = form->contentForCreate(agent().effectiveAgentId);
    auto message = context_.store->write([&](StoreState &s) {
        const auto key = s.insert(mailbox_, content);
        return s.snapshot(key, *s.find(mailbox_, key));
    });
    form->markSpent();
    return message;
}

bool MessageBatchAdminSessionImpl::canUpdateMessages() const { return requireOpen(), true; }

std::shared_ptr<messaging::MessageForm> MessageBatchAdminSessionImpl::getMessageFormForUpdate(const Id &messageId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    auto [primary, content] = context_.store->read([&](const StoreState &s) {
        auto key = s.resolve(mailbox_, messageId);
        if (!key)
            throw NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
        return std::make_pair(s.messageId(*key), s.content(*s.find(mailbox_, *key)));
    });
    return MessageFormImpl::forUpdate(context_.rules, serial(), primary, content);
}

void MessageBatchAdminSessionImpl::updateMessage(messaging::MessageForm &messageForm)
{
    requireOpen();
    auto admitted = MessageFormImpl::admit(messageForm, serial(), true);
    if (auto *refusal = std::get_if<FormRefusal>(&admitted))
        throwRefusal(*refusal);
    auto *form = std::get<MessageFormImpl *>(admitted);
    auto refusal = context_.store->write([&](StoreState &s) { return applyUpdate(s, mailbox_, *form); });
    if (refusal)
        throwRefusal(*refusal);
    form->markSpent();
}

bool MessageBatchAdminSessionImpl::canDeleteMessages() const { return requireOpen(), true; }

void MessageBatchAdminSessionImpl::deleteMessage(const Id &messageId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    context_.store->write([&](StoreState &s) {
        auto key = s.resolve(mailbox_, messageId);
        if (!key)
            throw NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
        s.erase(mailbox_, *key);
    });
}

bool MessageBatchAdminSessionImpl::canManageMessageAliases() const { return requireOpen(), true; }

void MessageBatchAdminSessionImpl::aliasMessage(const Id &messageId, const Id &aliasId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    requireNotNull(aliasId, "aliasId");
    auto refusal = context_.store->write([&](StoreState &s) { return applyAlias(s, mailbox_, messageId, aliasId); });
    if (refusal)
        throwRefusal(*refusal);
}

std::unique_ptr<MessageBatchFormList> MessageBatchAdminSessionImpl::getMessageFormsForCreate(
    std::uint64_t number, const std::vector<Type> &messageRecordTypes)
{
    requireOpen();
    const auto recordTypes = messageRecordTypesOrThrow(messageRecordTypes);
    if (number > kMaximumFormsPerCall)
        throw OperationFailed(fmt::format("{} forms asked for; at most {} are given per call", number,
                                          kMaximumFormsPerCall));
    std::vector<std::shared_ptr<MessageBatchForm>> forms;
    forms.reserve(static_cast<std::size_t>(number));
    for (std::uint64_t i = 0; i < number; ++i)
        forms.push_back(MessageFormImpl::forCreate(context_.rules, serial(), recordTypes));
    return makeList<MessageBatchFormList>(std::move(forms));
}

std::unique_ptr<CreateResponseList> MessageBatchAdminSessionImpl::createMessages(MessageBatchFormList &messageForms)
{
    requireOpen();
    const auto forms = drain(messageForms);
    if (std::any_of(forms.begin(), forms.end(), [](const auto &f) { return f == nullptr; }))
        throw NullArgument("messageForms holds a null form");

    std::vector<CreateResponse> responses;
    responses.reserve(forms.size());
    std::vector<std::pair<MessageFormImpl *, MessageContent>> admitted;
    std::unordered_set<const void *> seen;
    for (const auto &f : forms) {
        auto refusal = checkRepeated(seen, f.get());
        if (!refusal) {
            auto result = MessageFormImpl::admit(*f, serial(), false);
            if (auto *form = std::get_if<MessageFormImpl *>(&result))
                admitted.emplace_back(*form, (*form)->contentForCreate(agent().effectiveAgentId));
            else
                refusal = std::get<FormRefusal>(result);
        }
        if (refusal)
            responses.push_back(CreateResponse::failure(formIdOf(*f), refusal->code, refusal->message));
    }

    // All inserts in one write, undone if any fails, so that a thrown
    // error means nothing was created.
    const auto ids = context_.store->write([&](StoreState &s) {
        std::vector<Id> created;
        std::vector<MessageKey> keys;
        try {
            created.reserve(admitted.size());
            keys.reserve(admitted.size());
            for (const auto &[form, content] : admitted) {
                keys.push_back(s.insert(mailbox_, content));
                created.push_back(s.messageId(keys.back()));
            }
        } catch (const std::exception &e) {
            for (auto key : keys)
                s.erase(mailbox_, key);
            throw OperationFailed(std::string("creating the messages failed, nothing was created: ") + e.what());
        }
        return created;
    });
    for (std::size_t i = 0; i < admitted.size(); ++i) {
        admitted[i].first->markSpent();
        responses.push_back(CreateResponse::success(admitted[i].first->getId(), ids[i]));
    }
    return makeList<CreateResponseList>(std::move(responses));
}

std::unique_ptr<MessageBatchFormList> MessageBatchAdminSessionImpl::getMessageFormsForUpdate(IdList &messageIds)
{
    requireOpen();
    const auto ids = drain(messageIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in messageIds");
    auto targets = context_.store->read([&](const StoreState &s) {
        std::vector<std::pair<Id, MessageContent>> out;
        out.reserve(ids.size());
        for (const auto &id : ids) {
            auto key = s.resolve(mailbox_, id);
            if (!key)
                throw NotFound(fmt::format("no message {} in this mailbox", id.toString()));
            out.emplace_back(s.messageId(*key), s.content(*s.find(mailbox_, *key)));
        }
        return out;
    });
    std::vector<std::shared_ptr<MessageBatchForm>> forms;
    forms.reserve(targets.size());
    for (auto &[primary, content] : targets)
        forms.push_back(MessageFormImpl::forUpdate(context_.rules, serial(), std::move(primary), content));
    return makeList<MessageBatchFormList>(std::move(forms));
}

std::unique_ptr<UpdateResponseList> MessageBatchAdminSessionImpl::updateMessages(MessageBatchFormList &messageForms)
{
    requireOpen();
    const auto forms = drain(messageForms);
    if (std::any_of(forms.begin(), forms.end(), [](const auto &f) { return f == nullptr; }))
        throw NullArgument("messageForms holds a null form");

    std::vector<UpdateResponse> responses;
    responses.reserve(forms.size());
    std::vector<MessageFormImpl *> admitted;
    std::unordered_set<const void *> seen;
    for (const auto &f : forms) {
        auto refusal = checkRepeated(seen, f.get());
        if (!refusal) {
            auto result = MessageFormImpl::admit(*f, serial(), true);
            if (auto *form = std::get_if<MessageFormImpl *>(&result))
                admitted.push_back(*form);
            else
                refusal = std::get<FormRefusal>(result);
        }
        if (refusal) {
            Id target;
            if (auto *ours = dynamic_cast<MessageFormImpl *>(f.get()); ours && ours->isForUpdate())
                target = ours->getMessageId();
            responses.push_back(UpdateResponse::failure(formIdOf(*f), target, refusal->code, refusal->message));
        }
    }

    // All updates in one write, undone if any fails.
    auto outcomes = context_.store->write([&](StoreState &s) {
        std::vector<std::optional<FormRefusal>> out;
        std::vector<UpdateUndo> undo;
        try {
            out.reserve(admitted.size());
            undo.reserve(admitted.size());
            for (auto *form : admitted)
                out.push_back(applyUpdate(s, mailbox_, *form, &undo));
        } catch (const std::exception &e) {
            for (auto it = undo.rbegin(); it != undo.rend(); ++it)
                s.replace(mailbox_, it->key, it->previous);
            throw OperationFailed(std::string("updating the messages failed, nothing was changed: ") + e.what());
        }
        return out;
    });
    for (std::size_t i = 0; i < admitted.size(); ++i) {
        auto *form = admitted[i];
        if (outcomes[i]) {
            responses.push_back(UpdateResponse::failure(form->getId(), form->getMessageId(), outcomes[i]->code,
                                                        outcomes[i]->message));
        } else {
            form->markSpent();
            responses.push_back(UpdateResponse::success(form->getId(), form->getMessageId()));
        }
    }
    return makeList<UpdateResponseList>(std::move(responses));
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteKeys(
    const std::function<std::vector<MessageKey>(const StoreState &)> &select, bool dropDanglingAliases)
{
    auto responses = context_.store->write([&](StoreState &s) {
        const auto keys = select(s);
        // Build every response before erasing anything: erasing cannot
        // fail, so the call either deletes all it reports or nothing.
        std::vector<DeleteResponse> out;
        out.reserve(keys.size());
        for (auto key : keys)
            out.push_back(DeleteResponse::success(s.messageId(key)));
        for (auto key : keys)
            s.erase(mailbox_, key);
        if (dropDanglingAliases)
            s.dropDanglingAliases();
        return out;
    });
    return makeList<DeleteResponseList>(std::move(responses));
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteAllMessages()
{
    requireOpen();
    return deleteKeys(
        [&](const StoreState &s) {
            std::vector<MessageKey> keys;
            keys.reserve(s.mailbox(mailbox_).messages.size());
            for (const auto &[key, message] : s.mailbox(mailbox_).messages)
                keys.push_back(key);
            return keys;
        },
        true);
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteMessagesBySender(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    return deleteKeys([&](const StoreState &s) { return s.keysFromSender(mailbox_, resourceId); });
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteMessagesByDate(const DateTime &from,
                                                                                       const DateTime &to)
{
    requireOpen();
    requireOrdered(from, to, "from", "to");
    return deleteKeys([&](const StoreState &s) { return s.keysReceivedBetween(mailbox_, from, to); });
}

std::unique_ptr<AliasResponseList> MessageBatchAdminSessionImpl::aliasMessages(
    transaction::batch::AliasRequestList &aliasRequests)
{
    requireOpen();
    const auto requests = drain(aliasRequests);
    // All aliases in one write, undone if any fails.
    auto responses = context_.store->write([&](StoreState &s) {
        std::vector<AliasResponse> out;
        std::vector<AliasUndo> undo;
        try {
            out.reserve(requests.size());
            undo.reserve(requests.size());
            for (const auto &r : requests) {
                if (auto refusal = applyAlias(s, mailbox_, r.getReferenceId(), r.getAliasId(), &undo))
                    out.push_back(
                        AliasResponse::failure(r.getReferenceId(), r.getAliasId(), refusal->code, refusal->message));
                else
                    out.push_back(AliasResponse::success(r.getReferenceId(), r.getAliasId()));
            }
        } catch (const std::exception &e) {
            for (auto it = undo.rbegin(); it != undo.rend(); ++it)
                s.restoreAlias(it->aliasId, it->previous);
            throw OperationFailed(std::string("aliasing the messages failed, nothing was changed: ") + e.what());
        }
        return out;
    });
    return makeList<AliasResponseList>(std::move(responses));
}

// ---------------------------------------------------------------------------
// MessageLookupSessionImpl

MessageLookupSessionImpl::MessageLookupSessionImpl(SessionContext context, MailboxIndex mailbox)
    : SessionBase(context.agent), context_(std::move(context)), mailbox_(mailbox)
{
}

Id MessageLookupSessionImpl::getMailboxId() const
{
    requireOpen();
    return context_.store->read([&](const StoreState &s) { return s.mailbox(mailbox_).id; });
}

std::shared_ptr<messaging::Mailbox> MessageLookupSessionImpl::getMailbox() const
{
    requireOpen();
    return context_.store->read([&](const StoreState &s) { return s.mailboxSnapshot(mailbox_); });
}

bool MessageLookupSessionImpl::canLookupMessages() const { return requireOpen(), true; }
void MessageLookupSessionImpl::useComparativeMessageView() { requireOpen(), plenary_ = false; }
void MessageLookupSessionImpl::usePlenaryMessageView() { requireOpen(), plenary_ = true; }
// Mailboxes have no children, so both mailbox views see the same messages.
void MessageLookupSessionImpl::useFederatedMailboxView() { requireOpen(); }
void MessageLookupSessionImpl::useIsolatedMailboxView() { requireOpen(); }

std::shared_ptr<messaging::Message> MessageLookupSessionImpl::getMessage(const Id &messageId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    return context_.store->read([&](const StoreState &s) {
        auto key = s.resolve(mailbox_, messageId);
        if (!key)
            throw NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
        return s.snapshot(*key, *s.find(mailbox_, *key));
    });
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByIds(IdList &messageIds)
{
    requireOpen();
    const auto ids = drain(messageIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in messageIds");
    auto messages = context_.store->read([&](const StoreState &s) {
        std::vector<std::shared_ptr<messaging::Message>> out;
        out.reserve(ids.size());
        for (const auto &id : ids) {
            if (auto key = s.resolve(mailbox_, id))
                out.push_back(s.snapshot(*key, *s.find(mailbox_, *key)));
            else if (plenary_)
                throw NotFound(fmt::format("no message {} in this mailbox", id.toString()));
        }
        return out;
    });
    return makeList<messaging::MessageList>(std::move(messages));
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::select(
    const std::function<bool(const StoredMessage &)> &keep, bool bySentTime)
{
    auto messages = context_.store->read([&](const StoreState &s) {
        std::vector<std::pair<std::pair<std::int64_t, MessageKey>, const StoredMessage *>> hits;
        for (const auto &[key, m] : s.mailbox(mailbox_).messages)
            if (keep(m))
                hits.push_back({{bySentTime ? m.sentTime : 0, key}, &m});
        std::sort(hits.begin(), hits.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        std::vector<std::shared_ptr<messaging::Message>> out;
        out.reserve(hits.size());
        for (const auto &[order, m] : hits)
            out.push_back(s.snapshot(order.second, *m));
        return out;
    });
    return makeList<messaging::MessageList>(std::move(messages));
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByGenusType(const Type &messageGenusType)
{
    requireOpen();
    if (messageGenusType.isNull())
        throw NullArgument("messageGenusType is null");
    auto handle = context_.store->read([&](const StoreState &s) { return s.findTypeHandle(messageGenusType); });
    return select([&](const StoredMessage &m) { return handle && m.genusType == *handle; });
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByRecordType(
    const Type &messageRecordType)
{
    requireOpen();
    if (messageRecordType.isNull())
        throw NullArgument("messageRecordType is null");
    const bool delivery = messageRecordType == deliveryRecordType();
    return select([&](const StoredMessage &m) { return delivery && m.delivery; });
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesBySentTime(const DateTime &start,
                                                                                        const DateTime &end)
{
    requireOpen();
    requireOrdered(start, end, "start", "end");
    const auto a = start.toMicroseconds(), b = end.toMicroseconds();
    return select([&](const StoredMessage &m) { return m.sent && m.sentTime >= a && m.sentTime <= b; }, true);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesFromSender(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    auto handle = context_.store->read([&](const StoreState &s) { return s.findHandle(resourceId); });
    return select([&](const StoredMessage &m) { return handle && m.sent && m.sender == *handle; });
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesBySentTimeFromSender(
    const Id &resourceId, const DateTime &start, const DateTime &end)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    requireOrdered(start, end, "start", "end");
    auto handle = context_.store->read([&](const StoreState &s) { return s.findHandle(resourceId); });
    const auto a = start.toMicroseconds(), b = end.toMicroseconds();
    return select(
        [&](const StoredMessage &m) {
            return handle && m.sent && m.sender == *handle && m.sentTime >= a && m.sentTime <= b;
        },
        true);
}

namespace {
bool hasRecipient(const StoredMessage &m, std::optional<std::uint32_t> handle)
{
    return handle && m.sent && std::find(m.recipients.begin(), m.recipients.end(), *handle) != m.recipients.end();
}
} // namespace

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesForRecipient(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    auto handle = context_.store->read([&](const StoreState &s) { return s.findHandle(resourceId); });
    return select([&](const StoredMessage &m) { return hasRecipient(m, handle); });
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByReceivedTimeForRecipient(
    const Id &resourceId, const DateTime &start, const DateTime &end)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    requireOrdered(start, end, "start", "end");
    auto handle = context_.store->read([&](const StoreState &s) { return s.findHandle(resourceId); });
    const auto a = start.toMicroseconds(), b = end.toMicroseconds();
    return select([&](const StoredMessage &m) {
        return hasRecipient(m, handle) && m.receivedTime >= a && m.receivedTime <= b;
    });
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesFromSenderForRecipient(
    const Id &senderResourceId, const Id &recipientResourceId)
{
    requireOpen();
    requireNotNull(senderResourceId, "senderResourceId");
    requireNotNull(recipientResourceId, "recipientResourceId");
    // Plain variables, not structured bindings: clang 14 cannot capture those.
    std::optional<std::uint32_t> sender, recipient;
    context_.store->read([&](const StoreState &s) {
        sender = s.findHandle(senderResourceId);
        recipient = s.findHandle(recipientResourceId);
    });
    return select([&](const StoredMessage &m) {
        return sender && m.sent && m.sender == *sender && hasRecipient(m, recipient);
    });
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessages()
{
    requireOpen();
    return select([](const StoredMessage &) { return true; });
}

// ---------------------------------------------------------------------------
// MessagingSessionImpl

MessagingSessionImpl::MessagingSessionImpl(SessionContext context, MailboxIndex mailbox)
    : SessionBase(context.agent), context_(std::move(context)), mailbox_(mailbox)
{
}

Id MessagingSessionImpl::getMailboxId() const
{
    requireOpen();
    return context_.store->read([&](const StoreState &s) { return s.mailbox(mailbox_).id; });
}

std::shared_ptr<messaging::Mailbox> MessagingSessionImpl::getMailbox() const
{
    requireOpen();
    return context_.store->read([&](const StoreState &s) { return s.mailboxSnapshot(mailbox_); });
}

bool MessagingSessionImpl::canSendMessages() const { return requireOpen(), true; }

void MessagingSessionImpl::sendMessage(const Id &messageId, IdList &recipientIds)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    const auto recipients = drain(recipientIds);
    for (const auto &id : recipients)
        requireNotNull(id, "an Id in recipientIds");
    const auto now = getDate();
    const auto sender = agent().effectiveAgentId;
    context_.store->write([&](StoreState &s) {
        auto key = s.resolve(mailbox_, messageId);
        if (!key)
            throw NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
        auto content = s.content(*s.find(mailbox_, *key));
        if (!content.sent) {
            content.sent = true;
            content.senderId = sender;
            content.sendingAgentId = sender;
            content.sentTime = now;
            content.receivedTime = now;
        }
        content.recipientIds.insert(content.recipientIds.end(), recipients.begin(), recipients.end());
        s.replace(mailbox_, *key, content);
    });
}

std::unique_ptr<messaging::MessageList> MessagingSessionImpl::getUnsentMessages()
{
    requireOpen();
    auto messages = context_.store->read([&](const StoreState &s) {
        std::vector<std::pair<MessageKey, const StoredMessage *>> drafts;
        for (const auto &[key, m] : s.mailbox(mailbox_).messages)
            if (!m.sent)
                drafts.emplace_back(key, &m);
        std::sort(drafts.begin(), drafts.end());
        std::vector<std::shared_ptr<messaging::Message>> out;
        for (const auto &[key, m] : drafts)
            out.push_back(s.snapshot(key, *m));
        return out;
    });
    return makeList<messaging::MessageList>(std::move(messages));
}

// ---------------------------------------------------------------------------
// MailboxLookupSessionImpl

MailboxLookupSessionImpl::MailboxLookupSessionImpl(SessionContext context)
    : SessionBase(context.agent), context_(std::move(context))
{
}

bool MailboxLookupSessionImpl::canLookupMailboxes() const { return requireOpen(), true; }
void MailboxLookupSessionImpl::useComparativeMailboxView() { requireOpen(), plenary_ = false; }
void MailboxLookupSessionImpl::usePlenaryMailboxView() { requireOpen(), plenary_ = true; }

std::shared_ptr<messaging::Mailbox> MailboxLookupSessionImpl::getMailbox(const Id &mailboxId)
{
    requireOpen();
    requireNotNull(mailboxId, "mailboxId");
    return context_.store->read([&](const StoreState &s) {
        auto index = s.findMailbox(mailboxId);
        if (!index)
            throw NotFound(fmt::format("no mailbox {}", mailboxId.toString()));
        return s.mailboxSnapshot(*index);
    });
}

std::unique_ptr<messaging::MailboxList> MailboxLookupSessionImpl::getMailboxesByIds(IdList &mailboxIds)
{
    requireOpen();
    const auto ids = drain(mailboxIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in mailboxIds");
    auto mailboxes = context_.store->read([&](const StoreState &s) {
        std::vector<std::shared_ptr<messaging::Mailbox>> out;
        for (const auto &id : ids) {
            if (auto index = s.findMailbox(id))
                out.push_back(s.mailboxSnapshot(*index));
            else if (plenary_)
                throw NotFound(fmt::format("no mailbox {}", id.toString()));
        }
        return out;
    });
    return makeList<messaging::MailboxList>(std::move(mailboxes));
}

std::unique_ptr<messaging::MailboxList> MailboxLookupSessionImpl::getMailboxes()
{
    requireOpen();
    auto mailboxes = context_.store->read([&](const StoreState &s) {
        std::vector<std::shared_ptr<messaging::Mailbox>> out;
        for (std::size_t i = 0; i < s.mailboxCount(); ++i)
            out.push_back(s.mailboxSnapshot(static_cast<MailboxIndex>(i)));
        return out;
    });
    return makeList<messaging::MailboxList>(std::move(mailboxes));
}

// ---------------------------------------------------------------------------
// MailboxAdminSessionImpl

namespace {
void requireNoMailboxRecords(const std::vector<Type> &mailboxRecordTypes)
{
    for (const auto &t : mailboxRecordTypes)
        if (t.isNull())
            throw NullArgument("mailboxRecordTypes holds a null Type");
    if (!mailboxRecordTypes.empty())
        throw Unsupported(fmt::format("no mailbox record of type {}; mailboxes have no records",
                                      mailboxRecordTypes.front().toString()));
}
} // namespace

MailboxAdminSessionImpl::MailboxAdminSessionImpl(SessionContext context)
    : SessionBase(context.agent), context_(std::move(context))
{
}

bool MailboxAdminSessionImpl::canCreateMailboxes() const { return requireOpen(), true; }

bool MailboxAdminSessionImpl::canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const
{
    requireOpen();
    try {
        requireNoMailboxRecords(mailboxRecordTypes);
        return true;
    } catch (const Unsupported &) {
        return false;
    }
}

std::shared_ptr<messaging::MailboxForm> MailboxAdminSessionImpl::getMailboxFormForCreate(
    const std::vector<Type> &mailboxRecordTypes)
{
    requireOpen();
    requireNoMailboxRecords(mailboxRecordTypes);
    return std::make_shared<MailboxFormImpl>(context_.rules, serial(), std::vector<Type>{});
}

std::shared_ptr<messaging::Mailbox> MailboxAdminSessionImpl::createMailbox(messaging::MailboxForm &mailboxForm)
{
    requireOpen();
    auto *form = dynamic_cast<MailboxFormImpl *>(&mailboxForm);
    if (form == nullptr || form->origin().sessionSerial != serial())
        throw Unsupported("the form did not come from this session");
    if (form->isSpent())
        throw IllegalState("the form already created a mailbox; request a new form");
    if (auto problem = form->firstProblem())
        throw InvalidArgument(*problem);
    auto mailbox = context_.store->write([&](StoreState &s) {
        return s.mailboxSnapshot(s.createMailbox(form->displayName(), form->description(), form->genusType()));
    });
    form->markSpent();
    return mailbox;
}

} // namespace osid::impl::memory
