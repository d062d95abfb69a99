#include "impl/common/message_form.h"

#include <fmt/format.h>

namespace osid::impl {

using messaging::records::deliveryRecordType;

bool MessageFormImpl::Delivery::implementsRecordType(const Type &recordType) const
{
    return recordType == deliveryRecordType();
}

Metadata MessageFormImpl::Delivery::getSenderMetadata() const
{
    return idMetadata("sender", "sender", sender, true, false);
}
void MessageFormImpl::Delivery::setSender(const Id &senderId) { setId(sender, "sender", false, senderId, "senderId"); }
void MessageFormImpl::Delivery::clearSender() { clear(sender, "sender", true); }

Metadata MessageFormImpl::Delivery::getSendingAgentMetadata() const
{
    // Who did the sending is fixed once recorded.
    return idMetadata("sendingAgent", "sending agent", sendingAgent, false, form_.isForUpdate());
}
void MessageFormImpl::Delivery::setSendingAgent(const Id &agentId)
{
    setId(sendingAgent, "sending agent", form_.isForUpdate(), agentId, "agentId");
}
void MessageFormImpl::Delivery::clearSendingAgent()
{
    clear(sendingAgent, "sending agent", false, form_.isForUpdate());
}

Metadata MessageFormImpl::Delivery::getRecipientsMetadata() const
{
    auto d = elementDefinition(form_.rules(), "recipients", "recipients", Syntax::ID);
    d.array = true;
    d.minimumElements = 0;
    d.maximumElements = form_.rules().maximumRecipients;
    d.suppliedValue = recipients.supplied;
    if (recipients.value)
        d.existingIdValues = *recipients.value;
    return Metadata(std::move(d));
}
void MessageFormImpl::Delivery::setRecipients(const std::vector<Id> &recipientIds)
{
    for (const auto &id : recipientIds)
        if (id.isNull())
            throw NullArgument("recipientIds holds a null Id");
    // Any Id is allowed (the Metadata's Id set is empty); only the count is
    // limited.
    if (auto problem = checkIdCount("recipients", 0, form_.rules().maximumRecipients, recipientIds.size()))
        throw InvalidArgument(*problem);
    assign(recipients, recipientIds);
}
void MessageFormImpl::Delivery::clearRecipients() { clear(recipients, "recipients"); }

Metadata MessageFormImpl::Delivery::getSentTimeMetadata() const
{
    return timeMetadata("sentTime", "sent time", sentTime, true);
}
void MessageFormImpl::Delivery::setSentTime(const DateTime &t) { setTime(sentTime, "sent time", t); }
void MessageFormImpl::Delivery::clearSentTime() { clear(sentTime, "sent time", true); }

Metadata MessageFormImpl::Delivery::getReceivedTimeMetadata() const
{
    return timeMetadata("receivedTime", "received time", receivedTime, false);
}
void MessageFormImpl::Delivery::setReceivedTime(const DateTime &t) { setTime(receivedTime, "received time", t); }
void MessageFormImpl::Delivery::clearReceivedTime() { clear(receivedTime, "received time"); }

Metadata MessageFormImpl::Delivery::idMetadata(const char *name, const char *label, const Element<Id> &e, bool required,
                                               bool readOnly) const
{
    auto d = elementDefinition(form_.rules(), name, label, Syntax::ID);
    d.required = required;
    d.readOnly = readOnly;
    d.suppliedValue = e.supplied;
    if (e.value)
        d.existingIdValues = {*e.value};
    return Metadata(std::move(d));
}

Metadata MessageFormImpl::Delivery::timeMetadata(const char *name, const char *label, const Element<DateTime> &e,
                                                 bool required) const
{
    auto d = elementDefinition(form_.rules(), name, label, Syntax::DATETIME);
    d.required = required;
    d.suppliedValue = e.supplied;
    if (e.value)
        d.existingDateTimeValues = {*e.value};
    return Metadata(std::move(d));
}

// An Id element; any Id is allowed (the Metadata's Id set is empty).
void MessageFormImpl::Delivery::setId(Element<Id> &e, const char *label, bool readOnly, const Id &value,
                                      const char *parameter)
{
    if (value.isNull())
        throw NullArgument(std::string(parameter) + " is null");
    requireWritable(label, readOnly);
    assign(e, value);
}

// A time element, within the Metadata's default range.
void MessageFormImpl::Delivery::setTime(Element<DateTime> &e, const char *label, const DateTime &value)
{
    if (auto problem = checkDateTime(label, DateTime::min(), DateTime::max(), value))
        throw InvalidArgument(*problem);
    assign(e, value);
}

MessageFormImpl::MessageFormImpl(Key, FormOrigin origin, RecordTypes recordTypes, Id messageId)
    : ObjectFormBase(std::move(origin), std::move(recordTypes)), messageId_(std::move(messageId))
{
    if (hasRecordType(deliveryRecordType()))
        delivery_.emplace(*this);
}

std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> MessageFormImpl::forCreate(
    std::shared_ptr<const FormRules> rules, std::uint64_t sessionSerial, std::vector<Type> recordTypes,
    std::size_t count)
{
    // The block's slots are built in place and never move (a form's
    // delivery record refers back to it).
    using Block = std::vector<std::optional<MessageFormImpl>>;
    auto block = std::make_shared<Block>(count);
    const auto types = std::make_shared<const std::vector<Type>>(std::move(recordTypes));
    const FormIds formIds(rules->authority);
    std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> forms;
    forms.reserve(count);
    for (auto &slot : *block) {
        auto &form = slot.emplace(Key(), FormOrigin{formIds.next(), sessionSerial, false, rules}, types, Id());
        forms.emplace_back(block, &form);
    }
    return forms;
}

std::shared_ptr<MessageFormImpl> MessageFormImpl::forUpdate(std::shared_ptr<const FormRules> rules,
                                                            std::uint64_t sessionSerial, const FormIds &formIds,
                                                            Id messageId, MessageView &&existing)
{
    // Messages carry the delivery record or none: their forms share one
    // record type list of each kind.
    static const RecordTypes kDeliveryOnly = std::make_shared<const std::vector<Type>>(1, deliveryRecordType());
    static const RecordTypes kNone = std::make_shared<const std::vector<Type>>();
    auto form = std::make_shared<MessageFormImpl>(Key(), FormOrigin{formIds.next(), sessionSerial, true, rules},
                                                  existing.delivery ? kDeliveryOnly : kNone, std::move(messageId));
    // Existing values are known but not supplied: only what the consumer
    // sets or clears is written back. The strings stay where the store
    // keeps them; the form keeps that alive.
    form->existing_ = std::move(existing.owner);
    form->displayName_.existing = existing.displayName;
    form->description_.existing = existing.description;
    if (!existing.genusType.isNull())
        form->genusType_.value = std::move(existing.genusType);
    form->subject_.existing = existing.subject;
    form->text_.existing = existing.text;
    if (form->delivery_ && existing.sent) {
        form->delivery_->sender.value = std::move(existing.senderId);
        form->delivery_->sendingAgent.value = std::move(existing.sendingAgentId);
        form->delivery_->recipients.value = std::move(existing.recipientIds);
        form->delivery_->sentTime.value = existing.sentTime;
        form->delivery_->receivedTime.value = existing.receivedTime;
    }
    return form;
}

std::variant<MessageFormImpl *, FormRefusal> MessageFormImpl::admit(messaging::MessageForm &form,
                                                                    std::uint64_t sessionSerial, bool forUpdate)
{
    auto *impl = dynamic_cast<MessageFormImpl *>(&form);
    if (impl == nullptr || impl->origin().sessionSerial != sessionSerial)
        return FormRefusal{ErrorCode::Unsupported, "the form did not come from this session"};
    if (impl->isForUpdate() != forUpdate)
        return FormRefusal{ErrorCode::Unsupported, forUpdate ? "a create form cannot be used for an update"
                                                             : "an update form cannot be used for a create"};
    if (impl->isSpent())
        return FormRefusal{ErrorCode::IllegalState, forUpdate
                                                        ? "the form already updated its message; request a new form"
                                                        : "the form already created a message; request a new form"};
    if (auto problem = impl->firstProblem())
        return FormRefusal{ErrorCode::InvalidArgument, *problem};
    return impl;
}

Metadata MessageFormImpl::getSubjectLineMetadata() const
{
    return stringMetadata("subjectLine", "subject line", rules().maximumSubjectLength, subject_, false, false,
                          rules().subjectPattern);
}

void MessageFormImpl::setSubjectLine(const std::string &subject)
{
    setString(subject_, "subject line", rules().maximumSubjectLength, subject, rules().subjectPattern);
}

void MessageFormImpl::clearSubjectLine() { clear(subject_, "subject line"); }

Metadata MessageFormImpl::getTextMetadata() const
{
    return stringMetadata("text", "text", rules().maximumTextLength, text_);
}

void MessageFormImpl::setText(const std::string &text) { setString(text_, "text", rules().maximumTextLength, text); }

void MessageFormImpl::clearText() { clear(text_, "text"); }

messaging::records::MessageFormRecord &MessageFormImpl::getMessageFormRecord(const Type &messageRecordType)
{
    if (!hasRecordType(messageRecordType))
        throw Unsupported("the form has no record of type " + messageRecordType.toString());
    return *delivery_;
}

Id MessageFormImpl::getMessageId() const
{
    if (!isForUpdate())
        throw IllegalState("a create form targets no message");
    return messageId_;
}

void MessageFormImpl::addProblems(std::vector<Problem> &out) const
{
    if (!delivery_)
        return;
    const auto &d = *delivery_;
    if (!d.sender.value)
        out.push_back({d.getSenderMetadata(), "the sender is required"});
    if (!d.sentTime.value)
        out.push_back({d.getSentTimeMetadata(), "the sent time is required"});
    if (d.sentTime.value && d.receivedTime.value && *d.receivedTime.value < *d.sentTime.value)
        out.push_back(
            {d.getReceivedTimeMetadata(), fmt::format("the received time {} is before the sent time {}",
                                                      d.receivedTime.value->toString(), d.sentTime.value->toString())});
}

MessageContent MessageFormImpl::contentForCreate(const Id &defaultSendingAgent) const
{
    MessageContent c;
    fillForCreate(c, defaultSendingAgent);
    return c;
}

void MessageFormImpl::fillForCreate(MessageContent &c, const Id &defaultSendingAgent) const
{
    // Every field is assigned, so that `c` may hold another message's
    // content; assigning reuses its buffers.
    c.displayName = displayName_.current().value_or(std::string_view());
    c.description = description_.current().value_or(std::string_view());
    c.genusType = genusType_.value ? *genusType_.value : Type();
    c.recordTypes = recordTypeVector();
    c.subject = subject_.current().value_or(std::string_view());
    c.text = text_.current().value_or(std::string_view());
    c.sent = delivery_.has_value();
    if (delivery_) {
        const auto &d = *delivery_;
        c.senderId = d.sender.value ? *d.sender.value : Id();
        c.sendingAgentId = d.sendingAgent.value ? *d.sendingAgent.value : defaultSendingAgent;
        if (d.recipients.value)
            c.recipientIds = *d.recipients.value;
        else
            c.recipientIds.clear();
        c.sentTime = d.sentTime.value.value_or(DateTime());
        c.receivedTime = d.receivedTime.value.value_or(c.sentTime);
    } else {
        c.senderId = Id();
        c.sendingAgentId = Id();
        c.recipientIds.clear();
        c.sentTime = DateTime();
        c.receivedTime = DateTime();
    }
}

MessageChanges MessageFormImpl::changes() const
{
    static const std::vector<Id> kNone;
    auto text = [](const TextElement &e) -> std::optional<std::string_view> {
        if (!e.supplied)
            return std::nullopt;
        return e.current().value_or(std::string_view());
    };
    MessageChanges c;
    c.displayName = text(displayName_);
    c.description = text(description_);
    if (genusType_.supplied)
        c.genusType = genusType_.value.value_or(Type());
    c.subject = text(subject_);
    c.text = text(text_);
    if (!delivery_)
        return c;
    const auto &d = *delivery_;
    if (d.sender.supplied && d.sender.value)
        c.senderId = *d.sender.value;
    if (d.recipients.supplied)
        c.recipientIds = d.recipients.value ? &*d.recipients.value : &kNone;
    if (d.sentTime.supplied && d.sentTime.value)
        c.sentTime = *d.sentTime.value;
    if (d.receivedTime.supplied)
        c.receivedTime = d.receivedTime.value;
    return c;
}

MailboxFormImpl::MailboxFormImpl(std::shared_ptr<const FormRules> rules, std::uint64_t sessionSerial,
                                 std::vector<Type> recordTypes)
    : ObjectFormBase(newFormOrigin(std::move(rules), sessionSerial, false),
                     std::make_shared<const std::vector<Type>>(std::move(recordTypes)))
{
}

} // namespace osid::impl
