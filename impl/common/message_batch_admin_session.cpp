#include "impl/common/message_batch_admin_session.h"

#include "impl/common/message_form.h"
#include "impl/common/session_support.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <algorithm>
#include <cstdint>
#include <optional>
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

// Why aliasing `aliasId` to the message `referenceId` came to `outcome`,
// unless it was set.
std::optional<FormRefusal> aliasRefusal(AliasOutcome outcome, const Id &referenceId, const Id &aliasId)
{
    switch (outcome) {
    case AliasOutcome::Set: return std::nullopt;
    case AliasOutcome::NullId:
        return FormRefusal{ErrorCode::NullArgument, "the reference Id and the alias Id must not be null"};
    case AliasOutcome::NoTarget:
        return FormRefusal{ErrorCode::NotFound, fmt::format("no message {} in this mailbox", referenceId.toString())};
    case AliasOutcome::PrimarySpace:
        return FormRefusal{
            ErrorCode::AlreadyExists,
            fmt::format("{} lies in this provider's own message Id space and cannot be an alias", aliasId.toString())};
    case AliasOutcome::OtherMailbox:
        // A session changes only its own mailbox: an alias of a message of
        // another mailbox is not this session's to re-point.
        return FormRefusal{ErrorCode::AlreadyExists,
                           fmt::format("{} already names a message of another mailbox", aliasId.toString())};
    }
    throw OperationFailed("the store gave an unknown alias outcome");
}

// Why updating the message `target` came to `outcome`, unless it was
// updated.
std::optional<FormRefusal> updateRefusal(const UpdateOutcome &outcome, const Id &target)
{
    switch (outcome.result) {
    case UpdateOutcome::Updated: return std::nullopt;
    case UpdateOutcome::NoMessage:
        return FormRefusal{ErrorCode::NotFound,
                           fmt::format("the message {} no longer exists in this mailbox", target.toString())};
    case UpdateOutcome::ReceivedBeforeSent:
        return FormRefusal{ErrorCode::InvalidArgument,
                           fmt::format("the update would put the received time {} before the sent time {}",
                                       outcome.receivedTime.toString(), outcome.sentTime.toString())};
    }
    throw OperationFailed("the store gave an unknown update outcome");
}

// Updates the message of an admitted update form, or says why not.
std::optional<FormRefusal> applyUpdate(StoreWriter &s, MailboxKey mailbox, const MessageFormImpl &form)
{
    const Id target = form.getMessageId();
    // The form was valid against the message as it was read; the store
    // checks it again against the message as it is now, since another
    // update (in this call, an earlier one, or another session's) may have
    // changed the other time.
    return updateRefusal(s.updateMessage(mailbox, target, form.changes()), target);
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

[[noreturn]] void throwRefusal(const FormRefusal &refusal) { throwError(refusal.code, refusal.message); }

} // namespace

MessageBatchAdminSessionImpl::MessageBatchAdminSessionImpl(SessionContext context, MailboxKey mailbox)
    : MailboxSession(std::move(context), mailbox)
{
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
        return s.message(mailbox_, key);
    });
    form->markSpent(openTransaction());
    return message;
}

bool MessageBatchAdminSessionImpl::canUpdateMessages() const { return requireOpen(), true; }

std::shared_ptr<messaging::MessageForm> MessageBatchAdminSessionImpl::getMessageFormForUpdate(const Id &messageId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    auto [primary, existing] = context_.store->read([&](const StoreReader &s) {
        auto found = s.findAll(mailbox_, {messageId});
        if (!found.at(0))
            throw noSuchMessage(messageId);
        return std::make_pair(s.messageId(found[0]->first), std::move(found[0]->second));
    });
    return MessageFormImpl::forUpdate(context_.rules, serial(), FormIds(context_.rules->authority), std::move(primary),
                                      std::move(existing));
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
            throw noSuchMessage(messageId);
        s.erase(mailbox_, *key);
    });
}

bool MessageBatchAdminSessionImpl::canManageMessageAliases() const { return requireOpen(), true; }

void MessageBatchAdminSessionImpl::aliasMessage(const Id &messageId, const Id &aliasId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    requireNotNull(aliasId, "aliasId");
    auto refusal = context_.store->write(
        [&](StoreWriter &s) { return aliasRefusal(s.aliasMessage(mailbox_, messageId, aliasId), messageId, aliasId); });
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
    // What the store found moves into the forms: no copy on the way.
    std::vector<Id> primaries;
    primaries.reserve(ids.size());
    auto found = context_.store->read([&](const StoreReader &s) {
        auto out = s.findAll(mailbox_, ids);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!out.at(i))
                throw noSuchMessage(ids[i]);
            // A primary Id that found its message is equal to the one the
            // store would make for it.
            primaries.push_back(s.isPrimarySpace(ids[i]) ? ids[i] : s.messageId(out[i]->first));
        }
        return out;
    });
    std::vector<std::shared_ptr<MessageBatchForm>> forms;
    forms.reserve(found.size());
    const FormIds formIds(context_.rules->authority);
    for (std::size_t i = 0; i < found.size(); ++i)
        forms.push_back(MessageFormImpl::forUpdate(context_.rules, serial(), formIds, std::move(primaries[i]),
                                                   std::move(found[i]->second)));
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

    // The forms were valid against the messages as they were read; the
    // store checks them again against the messages as they are now, since
    // another update (in this call, an earlier one, or another session's)
    // may have changed the other time.
    std::vector<std::pair<Id, MessageChanges>> updates;
    updates.reserve(admitted.size());
    for (auto *form : admitted)
        updates.emplace_back(form->getMessageId(), form->changes());
    auto outcomes = allOrNothing(*context_.store, "updating the messages", [&](StoreWriter &s) {
        const auto updated = s.updateMessages(mailbox_, updates);
        std::vector<std::optional<FormRefusal>> out;
        out.reserve(admitted.size());
        for (std::size_t i = 0; i < admitted.size(); ++i)
            out.push_back(updateRefusal(updated.at(i), updates[i].first));
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
    return deleteKeys([&](StoreWriter &s) { return s.eraseFromSender(mailbox_, resourceId); });
}

std::unique_ptr<DeleteResponseList> MessageBatchAdminSessionImpl::deleteMessagesByDate(const DateTime &from,
                                                                                       const DateTime &to)
{
    requireOpen();
    requireOrdered(from, to, "from", "to");
    return deleteKeys([&](StoreWriter &s) { return s.eraseReceivedBetween(mailbox_, from, to); });
}

std::unique_ptr<AliasResponseList> MessageBatchAdminSessionImpl::aliasMessages(
    transaction::batch::AliasRequestList &aliasRequests)
{
    requireOpen();
    const auto requests = drain(aliasRequests);
    auto responses = allOrNothing(*context_.store, "aliasing the messages", [&](StoreWriter &s) {
        const auto outcomes = s.aliasMessages(mailbox_, requests);
        std::vector<AliasResponse> out;
        out.reserve(requests.size());
        for (std::size_t i = 0; i < requests.size(); ++i) {
            const auto &r = requests[i];
            if (auto refusal = aliasRefusal(outcomes.at(i), r.getReferenceId(), r.getAliasId()))
                out.push_back(
                    AliasResponse::failure(r.getReferenceId(), r.getAliasId(), refusal->code, refusal->message));
            else
                out.push_back(AliasResponse::success(r.getReferenceId(), r.getAliasId()));
        }
        return out;
    });
    return makeList<AliasResponseList>(std::move(responses));
}

} // namespace osid::impl
