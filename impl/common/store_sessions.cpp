#include "impl/common/store_sessions.h"

#include "impl/common/message_form.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <algorithm>
#include <cstdint>
#include <variant>

#include <fmt/format.h>

namespace osid::impl {

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
        throw InvalidArgument(
            fmt::format("{} ({}) is after {} ({})", fromName, from.toString(), toName, to.toString()));
}

void requireNoNullTypes(const std::vector<Type> &types, const char *parameter)
{
    for (const auto &t : types)
        if (t.isNull())
            throw NullArgument(fmt::format("{} holds a null Type", parameter));
}

// The distinct record types asked for, if this provider can give them all.
// Raises NullArgument or Unsupported.
std::vector<Type> messageRecordTypesOrThrow(const std::vector<Type> &requested)
{
    // Nulls first: NullArgument wins over Unsupported wherever they stand.
    requireNoNullTypes(requested, "messageRecordTypes");
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

// Which forms appeared earlier in the same call: only the first of a form
// may succeed. An open-addressing set of pointers in one vector, rather
// than a std::unordered_set with a node per form.
std::vector<bool> repeatedForms(const std::vector<std::shared_ptr<MessageBatchForm>> &forms)
{
    unsigned bits = 4;
    while ((std::size_t{1} << bits) < 2 * forms.size())
        ++bits;
    const std::size_t mask = (std::size_t{1} << bits) - 1;
    std::vector<const void *> seen(mask + 1, nullptr);
    std::vector<bool> repeated(forms.size());
    for (std::size_t i = 0; i < forms.size(); ++i) {
        const void *form = forms[i].get();
        // Fibonacci hashing: the top bits of the product.
        auto slot =
            static_cast<std::size_t>((reinterpret_cast<std::uintptr_t>(form) * 0x9E3779B97F4A7C15ull) >> (64 - bits));
        while (seen[slot] != nullptr && seen[slot] != form)
            slot = (slot + 1) & mask;
        repeated[i] = seen[slot] == form;
        seen[slot] = form;
    }
    return repeated;
}

// Checks each form of a batch call, in order: the form, or why it is refused.
std::vector<std::variant<MessageFormImpl *, FormRefusal>> admitAll(
    const std::vector<std::shared_ptr<MessageBatchForm>> &forms, std::uint64_t sessionSerial, bool forUpdate)
{
    const auto repeated = repeatedForms(forms);
    std::vector<std::variant<MessageFormImpl *, FormRefusal>> out;
    out.reserve(forms.size());
    for (std::size_t i = 0; i < forms.size(); ++i) {
        if (repeated[i])
            out.emplace_back(FormRefusal{ErrorCode::IllegalState, "the form appears more than once in this call"});
        else
            out.push_back(MessageFormImpl::admit(*forms[i], sessionSerial, forUpdate));
    }
    return out;
}

// Alias `aliasId` to the message `referenceId`, or why not.
std::optional<FormRefusal> applyAlias(StoreWriter &s, MailboxKey mailbox, const Id &referenceId, const Id &aliasId)
{
    if (referenceId.isNull() || aliasId.isNull())
        return FormRefusal{ErrorCode::NullArgument, "the reference Id and the alias Id must not be null"};
    auto key = s.resolve(mailbox, referenceId);
    if (!key)
        return FormRefusal{ErrorCode::NotFound, fmt::format("no message {} in this mailbox", referenceId.toString())};
    if (s.isPrimarySpace(aliasId))
        return FormRefusal{
            ErrorCode::AlreadyExists,
            fmt::format("{} lies in this provider's own message Id space and cannot be an alias", aliasId.toString())};
    // A session changes only its own mailbox: an alias of a message of
    // another mailbox is not this session's to re-point.
    if (auto owner = s.aliasMailbox(aliasId); owner && *owner != mailbox)
        return FormRefusal{ErrorCode::AlreadyExists,
                           fmt::format("{} already names a message of another mailbox", aliasId.toString())};
    s.setAlias(aliasId, *key);
    return std::nullopt;
}

// Updates the message of an admitted update form, or says why not.
std::optional<FormRefusal> applyUpdate(StoreWriter &s, MailboxKey mailbox, const MessageFormImpl &form)
{
    const Id target = form.getMessageId();
    auto found = s.find(mailbox, target);
    if (!found)
        return FormRefusal{ErrorCode::NotFound,
                           fmt::format("the message {} no longer exists in this mailbox", target.toString())};
    const auto &[key, previous] = *found;
    auto content = previous;
    form.applyTo(content);
    // The form was valid against the message as it was read; checked again
    // against the message as it is now, since another update (in this call,
    // an earlier one, or another session's) may have changed the other time.
    if (content.sent && content.receivedTime < content.sentTime)
        return FormRefusal{ErrorCode::InvalidArgument,
                           fmt::format("the update would put the received time {} before the sent time {}",
                                       content.receivedTime.toString(), content.sentTime.toString())};
    s.replace(mailbox, key, previous, content);
    return std::nullopt;
}

std::shared_ptr<messaging::Message> snapshot(const StoreReader &s, MailboxKey mailbox, MessageKey key)
{
    return s.message(mailbox, key);
}

// Runs one batch call's write. The store undoes all of it if anything
// fails; the caller learns that nothing changed.
template <class F>
auto allOrNothing(MessageStore &store, const char *what, F &&f)
{
    try {
        return store.write(f);
    } catch (const IllegalState &) {
        throw;
    } catch (const std::exception &e) {
        throw OperationFailed(fmt::format("{} failed, nothing was changed: {}", what, e.what()));
    }
}

// The messages of `mailbox` a query selects, as snapshots.
std::unique_ptr<messaging::MessageList> selectMessages(MessageStore &store, MailboxKey mailbox,
                                                       const MessageQuery &query)
{
    auto messages = store.read([&](const StoreReader &s) {
        auto hits = s.select(mailbox, query);
        std::vector<std::shared_ptr<messaging::Message>> out;
        out.reserve(hits.size());
        for (auto &[key, content] : hits)
            out.push_back(std::make_shared<MessageSnapshot>(s.messageId(key), std::move(content)));
        return out;
    });
    return makeList<messaging::MessageList>(std::move(messages));
}

[[noreturn]] void throwRefusal(const FormRefusal &refusal) { throwError(refusal.code, refusal.message); }

} // namespace

// ---------------------------------------------------------------------------
// MessageBatchAdminSessionImpl

MessageBatchAdminSessionImpl::MessageBatchAdminSessionImpl(SessionContext context, MailboxKey mailbox)
    : StoreSession(std::move(context)), mailbox_(mailbox)
{
}

Id MessageBatchAdminSessionImpl::getMailboxId() const
{
    requireOpen();
    return context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_)->getId(); });
}

std::shared_ptr<messaging::Mailbox> MessageBatchAdminSessionImpl::getMailbox() const
{
    requireOpen();
    return context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_); });
}

bool MessageBatchAdminSessionImpl::canCreateMessages() const { return requireOpen(), true; }

bool MessageBatchAdminSessionImpl::canCreateMessageWithRecordTypes(const std::vector<Type> &messageRecordTypes) const
{
    requireOpen();
    requireNoNullTypes(messageRecordTypes, "messageRecordTypes");
    return std::all_of(messageRecordTypes.begin(), messageRecordTypes.end(),
                       [](const Type &t) { return t == deliveryRecordType(); });
}

std::shared_ptr<messaging::MessageForm> MessageBatchAdminSessionImpl::getMessageFormForCreate(
    const std::vector<Type> &messageRecordTypes)
{
    requireOpen();
    return MessageFormImpl::forCreate(context_.rules, serial(), messageRecordTypesOrThrow(messageRecordTypes), 1)
        .front();
}

std::shared_ptr<messaging::Message> MessageBatchAdminSessionImpl::createMessage(messaging::MessageForm &messageForm)
{
    requireOpen();
    auto admitted = MessageFormImpl::admit(messageForm, serial(), false);
    if (auto *refusal = std::get_if<FormRefusal>(&admitted))
        throwRefusal(*refusal);
    auto *form = std::get<MessageFormImpl *>(admitted);
    auto content = form->contentForCreate(agent().effectiveAgentId);
    auto message = context_.store->write([&](StoreWriter &s) {
        const auto key = s.insert(mailbox_, content);
        return snapshot(s, mailbox_, key);
    });
    form->markSpent(openTransaction());
    return message;
}

bool MessageBatchAdminSessionImpl::canUpdateMessages() const { return requireOpen(), true; }

std::shared_ptr<messaging::MessageForm> MessageBatchAdminSessionImpl::getMessageFormForUpdate(const Id &messageId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    auto [primary, content] = context_.store->read([&](const StoreReader &s) {
        auto key = s.resolve(mailbox_, messageId);
        if (!key)
            throw NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
        return std::make_pair(s.messageId(*key), s.content(mailbox_, *key));
    });
    return MessageFormImpl::forUpdate(context_.rules, serial(), FormIds(context_.rules->authority), primary,
                                      std::move(content));
}

void MessageBatchAdminSessionImpl::updateMessage(messaging::MessageForm &messageForm)
{
    requireOpen();
    auto admitted = MessageFormImpl::admit(messageForm, serial(), true);
    if (auto *refusal = std::get_if<FormRefusal>(&admitted))
        throwRefusal(*refusal);
    auto *form = std::get<MessageFormImpl *>(admitted);
    auto refusal = context_.store->write([&](StoreWriter &s) { return applyUpdate(s, mailbox_, *form); });
    if (refusal)
        throwRefusal(*refusal);
    form->markSpent(openTransaction());
}

bool MessageBatchAdminSessionImpl::canDeleteMessages() const { return requireOpen(), true; }

void MessageBatchAdminSessionImpl::deleteMessage(const Id &messageId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    context_.store->write([&](StoreWriter &s) {
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
    auto refusal = context_.store->write([&](StoreWriter &s) { return applyAlias(s, mailbox_, messageId, aliasId); });
    if (refusal)
        throwRefusal(*refusal);
}

std::unique_ptr<MessageBatchFormList> MessageBatchAdminSessionImpl::getMessageFormsForCreate(
    std::uint64_t number, const std::vector<Type> &messageRecordTypes)
{
    requireOpen();
    auto recordTypes = messageRecordTypesOrThrow(messageRecordTypes);
    if (number > kMaximumFormsPerCall)
        throw OperationFailed(
            fmt::format("{} forms asked for; at most {} are given per call", number, kMaximumFormsPerCall));
    return makeList<MessageBatchFormList>(
        MessageFormImpl::forCreate(context_.rules, serial(), std::move(recordTypes), static_cast<std::size_t>(number)));
}

std::unique_ptr<CreateResponseList> MessageBatchAdminSessionImpl::createMessages(MessageBatchFormList &messageForms)
{
    requireOpen();
    const auto forms = drain(messageForms);
    if (std::any_of(forms.begin(), forms.end(), [](const auto &f) { return f == nullptr; }))
        throw NullArgument("messageForms holds a null form");

    std::vector<CreateResponse> responses;
    responses.reserve(forms.size());
    std::vector<MessageFormImpl *> admitted;
    admitted.reserve(forms.size());
    const auto results = admitAll(forms, serial(), false);
    for (std::size_t i = 0; i < forms.size(); ++i) {
        if (auto *form = std::get_if<MessageFormImpl *>(&results[i])) {
            admitted.push_back(*form);
        } else {
            const auto &refusal = std::get<FormRefusal>(results[i]);
            responses.push_back(CreateResponse::failure(formIdOf(*forms[i]), refusal.code, refusal.message));
        }
    }

    const auto &sendingAgent = agent().effectiveAgentId;
    auto ids = allOrNothing(*context_.store, "creating the messages", [&](StoreWriter &s) {
        std::vector<Id> created;
        created.reserve(admitted.size());
        // One content, refilled per message: its buffers are reused rather
        // than a copy of every message held at once.
        MessageContent content;
        for (auto *form : admitted) {
            form->fillForCreate(content, sendingAgent);
            created.push_back(s.messageId(s.insert(mailbox_, content)));
        }
        return created;
    });
    const auto transaction = openTransaction();
    for (std::size_t i = 0; i < admitted.size(); ++i) {
        admitted[i]->markSpent(transaction);
        responses.push_back(CreateResponse::success(admitted[i]->getId(), std::move(ids[i])));
    }
    return makeList<CreateResponseList>(std::move(responses));
}

std::unique_ptr<MessageBatchFormList> MessageBatchAdminSessionImpl::getMessageFormsForUpdate(IdList &messageIds)
{
    requireOpen();
    const auto ids = drain(messageIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in messageIds");
    auto targets = context_.store->read([&](const StoreReader &s) {
        std::vector<std::pair<Id, MessageContent>> out;
        out.reserve(ids.size());
        for (const auto &id : ids) {
            auto found = s.find(mailbox_, id);
            if (!found)
                throw NotFound(fmt::format("no message {} in this mailbox", id.toString()));
            out.emplace_back(s.messageId(found->first), std::move(found->second));
        }
        return out;
    });
    std::vector<std::shared_ptr<MessageBatchForm>> forms;
    forms.reserve(targets.size());
    const FormIds formIds(context_.rules->authority);
    for (auto &[primary, content] : targets)
        forms.push_back(
            MessageFormImpl::forUpdate(context_.rules, serial(), formIds, std::move(primary), std::move(content)));
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
    const auto results = admitAll(forms, serial(), true);
    for (std::size_t i = 0; i < forms.size(); ++i) {
        const auto &f = forms[i];
        if (auto *form = std::get_if<MessageFormImpl *>(&results[i])) {
            admitted.push_back(*form);
        } else {
            const auto &refusal = std::get<FormRefusal>(results[i]);
            Id target;
            if (auto *ours = dynamic_cast<MessageFormImpl *>(f.get()); ours && ours->isForUpdate())
                target = ours->getMessageId();
            responses.push_back(UpdateResponse::failure(formIdOf(*f), target, refusal.code, refusal.message));
        }
    }

    auto outcomes = allOrNothing(*context_.store, "updating the messages", [&](StoreWriter &s) {
        std::vector<std::optional<FormRefusal>> out;
        out.reserve(admitted.size());
        for (auto *form : admitted)
            out.push_back(applyUpdate(s, mailbox_, *form));
        return out;
    });
    const auto transaction = openTransaction();
    for (std::size_t i = 0; i < admitted.size(); ++i) {
        auto *form = admitted[i];
        if (outcomes[i]) {
            responses.push_back(
                UpdateResponse::failure(form->getId(), form->getMessageId(), outcomes[i]->code, outcomes[i]->message));
        } else {
            form->markSpent(transaction);
            responses.push_back(UpdateResponse::success(form->getId(), form->getMessageId()));
        }
    }
    return makeList<UpdateResponseList>(std::move(responses));
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteKeys(
    const std::function<std::vector<MessageKey>(StoreWriter &)> &erase, bool dropDanglingAliases)
{
    auto responses = context_.store->write([&](StoreWriter &s) {
        // The responses are built after the erasing: if building them
        // fails, the store undoes the whole call, so it either deletes all
        // it reports or nothing.
        const auto keys = erase(s);
        if (dropDanglingAliases)
            s.dropDanglingAliases();
        std::vector<DeleteResponse> out;
        out.reserve(keys.size());
        for (auto key : keys)
            out.push_back(DeleteResponse::success(s.messageId(key)));
        return out;
    });
    return makeList<DeleteResponseList>(std::move(responses));
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteAllMessages()
{
    requireOpen();
    return deleteKeys([&](StoreWriter &s) { return s.eraseAll(mailbox_); }, true);
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteMessagesBySender(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    return deleteKeys([&](StoreWriter &s) { return s.eraseKeys(mailbox_, s.keysFromSender(mailbox_, resourceId)); });
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteMessagesByDate(const DateTime &from,
                                                                                       const DateTime &to)
{
    requireOpen();
    requireOrdered(from, to, "from", "to");
    return deleteKeys([&](StoreWriter &s) { return s.eraseKeys(mailbox_, s.keysReceivedBetween(mailbox_, from, to)); });
}

std::unique_ptr<AliasResponseList> MessageBatchAdminSessionImpl::aliasMessages(
    transaction::batch::AliasRequestList &aliasRequests)
{
    requireOpen();
    const auto requests = drain(aliasRequests);
    auto responses = allOrNothing(*context_.store, "aliasing the messages", [&](StoreWriter &s) {
        std::vector<AliasResponse> out;
        out.reserve(requests.size());
        for (const auto &r : requests) {
            if (auto refusal = applyAlias(s, mailbox_, r.getReferenceId(), r.getAliasId()))
                out.push_back(
                    AliasResponse::failure(r.getReferenceId(), r.getAliasId(), refusal->code, refusal->message));
            else
                out.push_back(AliasResponse::success(r.getReferenceId(), r.getAliasId()));
        }
        return out;
    });
    return makeList<AliasResponseList>(std::move(responses));
}

// ---------------------------------------------------------------------------
// MessageLookupSessionImpl

MessageLookupSessionImpl::MessageLookupSessionImpl(SessionContext context, MailboxKey mailbox)
    : StoreSession(std::move(context)), mailbox_(mailbox)
{
}

Id MessageLookupSessionImpl::getMailboxId() const
{
    requireOpen();
    return context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_)->getId(); });
}

std::shared_ptr<messaging::Mailbox> MessageLookupSessionImpl::getMailbox() const
{
    requireOpen();
    return context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_); });
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
    auto message = context_.store->lookupMessage(mailbox_, messageId);
    // Thrown here rather than inside the read: fewer frames to unwind, and
    // the store is not held meanwhile.
    if (!message)
        throw NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
    return message;
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByIds(IdList &messageIds)
{
    requireOpen();
    const auto ids = drain(messageIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in messageIds");
    auto messages = context_.store->read([&](const StoreReader &s) {
        std::vector<std::shared_ptr<messaging::Message>> out;
        out.reserve(ids.size());
        for (const auto &id : ids) {
            if (auto key = s.resolve(mailbox_, id))
                out.push_back(snapshot(s, mailbox_, *key));
            else if (plenary_)
                throw NotFound(fmt::format("no message {} in this mailbox", id.toString()));
        }
        return out;
    });
    return makeList<messaging::MessageList>(std::move(messages));
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::select(const MessageQuery &query)
{
    return selectMessages(*context_.store, mailbox_, query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByGenusType(const Type &messageGenusType)
{
    requireOpen();
    if (messageGenusType.isNull())
        throw NullArgument("messageGenusType is null");
    MessageQuery query;
    query.genusType = messageGenusType;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByRecordType(const Type &messageRecordType)
{
    requireOpen();
    if (messageRecordType.isNull())
        throw NullArgument("messageRecordType is null");
    if (messageRecordType != deliveryRecordType())
        return makeList<messaging::MessageList>({});
    MessageQuery query;
    query.deliveryRecordOnly = true;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesBySentTime(const DateTime &start,
                                                                                        const DateTime &end)
{
    requireOpen();
    requireOrdered(start, end, "start", "end");
    MessageQuery query;
    query.sent = true;
    query.sentTime = {start, end};
    query.orderBySentTime = true;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesFromSender(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    MessageQuery query;
    query.sent = true;
    query.sender = resourceId;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesBySentTimeFromSender(const Id &resourceId,
                                                                                                  const DateTime &start,
                                                                                                  const DateTime &end)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    requireOrdered(start, end, "start", "end");
    MessageQuery query;
    query.sent = true;
    query.sender = resourceId;
    query.sentTime = {start, end};
    query.orderBySentTime = true;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesForRecipient(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    MessageQuery query;
    query.sent = true;
    query.recipient = resourceId;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByReceivedTimeForRecipient(
    const Id &resourceId, const DateTime &start, const DateTime &end)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    requireOrdered(start, end, "start", "end");
    MessageQuery query;
    query.sent = true;
    query.recipient = resourceId;
    query.receivedTime = {start, end};
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesFromSenderForRecipient(
    const Id &senderResourceId, const Id &recipientResourceId)
{
    requireOpen();
    requireNotNull(senderResourceId, "senderResourceId");
    requireNotNull(recipientResourceId, "recipientResourceId");
    MessageQuery query;
    query.sent = true;
    query.sender = senderResourceId;
    query.recipient = recipientResourceId;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessages()
{
    requireOpen();
    return select(MessageQuery{});
}

// ---------------------------------------------------------------------------
// MessagingSessionImpl

MessagingSessionImpl::MessagingSessionImpl(SessionContext context, MailboxKey mailbox)
    : StoreSession(std::move(context)), mailbox_(mailbox)
{
}

Id MessagingSessionImpl::getMailboxId() const
{
    requireOpen();
    return context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_)->getId(); });
}

std::shared_ptr<messaging::Mailbox> MessagingSessionImpl::getMailbox() const
{
    requireOpen();
    return context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_); });
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
    context_.store->write([&](StoreWriter &s) {
        auto key = s.resolve(mailbox_, messageId);
        if (!key)
            throw NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
        const auto previous = s.content(mailbox_, *key);
        auto content = previous;
        if (!content.sent) {
            content.sent = true;
            content.senderId = sender;
            content.sendingAgentId = sender;
            content.sentTime = now;
            content.receivedTime = now;
        }
        content.recipientIds.insert(content.recipientIds.end(), recipients.begin(), recipients.end());
        s.replace(mailbox_, *key, previous, content);
    });
}

std::unique_ptr<messaging::MessageList> MessagingSessionImpl::getUnsentMessages()
{
    requireOpen();
    MessageQuery query;
    query.sent = false;
    return selectMessages(*context_.store, mailbox_, query);
}

// ---------------------------------------------------------------------------
// MailboxLookupSessionImpl

MailboxLookupSessionImpl::MailboxLookupSessionImpl(SessionContext context) : StoreSession(std::move(context)) {}

bool MailboxLookupSessionImpl::canLookupMailboxes() const { return requireOpen(), true; }
void MailboxLookupSessionImpl::useComparativeMailboxView() { requireOpen(), plenary_ = false; }
void MailboxLookupSessionImpl::usePlenaryMailboxView() { requireOpen(), plenary_ = true; }

std::shared_ptr<messaging::Mailbox> MailboxLookupSessionImpl::getMailbox(const Id &mailboxId)
{
    requireOpen();
    requireNotNull(mailboxId, "mailboxId");
    return context_.store->read([&](const StoreReader &s) {
        auto index = s.findMailbox(mailboxId);
        if (!index)
            throw NotFound(fmt::format("no mailbox {}", mailboxId.toString()));
        return s.mailbox(*index);
    });
}

std::unique_ptr<messaging::MailboxList> MailboxLookupSessionImpl::getMailboxesByIds(IdList &mailboxIds)
{
    requireOpen();
    const auto ids = drain(mailboxIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in mailboxIds");
    auto mailboxes = context_.store->read([&](const StoreReader &s) {
        std::vector<std::shared_ptr<messaging::Mailbox>> out;
        for (const auto &id : ids) {
            if (auto index = s.findMailbox(id))
                out.push_back(s.mailbox(*index));
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
    auto mailboxes = context_.store->read([&](const StoreReader &s) {
        std::vector<std::shared_ptr<messaging::Mailbox>> out;
        for (auto key : s.mailboxes())
            out.push_back(s.mailbox(key));
        return out;
    });
    return makeList<messaging::MailboxList>(std::move(mailboxes));
}

// ---------------------------------------------------------------------------
// MailboxAdminSessionImpl

namespace {
void requireNoMailboxRecords(const std::vector<Type> &mailboxRecordTypes)
{
    requireNoNullTypes(mailboxRecordTypes, "mailboxRecordTypes");
    if (!mailboxRecordTypes.empty())
        throw Unsupported(fmt::format("no mailbox record of type {}; mailboxes have no records",
                                      mailboxRecordTypes.front().toString()));
}
} // namespace

MailboxAdminSessionImpl::MailboxAdminSessionImpl(SessionContext context) : StoreSession(std::move(context)) {}

bool MailboxAdminSessionImpl::canCreateMailboxes() const { return requireOpen(), true; }

bool MailboxAdminSessionImpl::canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const
{
    requireOpen();
    requireNoNullTypes(mailboxRecordTypes, "mailboxRecordTypes");
    // Mailboxes have no records.
    return mailboxRecordTypes.empty();
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
    auto mailbox = context_.store->write([&](StoreWriter &s) {
        return s.mailbox(s.createMailbox(form->displayName(), form->description(), form->genusType()));
    });
    form->markSpent(openTransaction());
    return mailbox;
}

} // namespace osid::impl
