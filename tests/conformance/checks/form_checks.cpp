// MessageBatchForm: Metadata, setters, clearers and validation.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

std::shared_ptr<MessageBatchForm> deliveryForm(messaging::batch::MessageBatchAdminSession &s)
{
    return s.getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
}

// The identifiers of the elements getInvalidMetadata() names.
std::set<std::string> invalidElements(const MessageBatchForm &form)
{
    std::set<std::string> names;
    for (const auto &m : form.getInvalidMetadata())
        names.insert(m.getElementId().getIdentifier());
    return names;
}

} // namespace

void addFormChecks(Suite &suite)
{
    auto add =
        suite.area("MessageBatchForm", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::DeliveryRecord});

    add("a subject longer than its Metadata allows raises InvalidArgument and keeps the old value", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto metadata = form->getSubjectLineMetadata();
        EXPECT_EQ(metadata.getSyntax(), Syntax::STRING);
        const auto max = metadata.getMaximumStringLength();
        EXPECT(max < 100'000);
        form->setSubjectLine("kept");
        form->setSubjectLine(std::string(max, 'x'));
        form->setSubjectLine("kept");
        EXPECT_THROWS(InvalidArgument, form->setSubjectLine(std::string(max + 1, 'x')));
        EXPECT_EQ(form->getSubjectLineMetadata().getExistingStringValues(), std::vector<std::string>{"kept"});
    });

    add("string lengths count characters, not bytes", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto max = form->getSubjectLineMetadata().getMaximumStringLength();
        std::string accented;
        for (std::uint64_t i = 0; i < max; ++i)
            accented += "\xC3\xA9"; // é, two bytes each
        form->setSubjectLine(accented);
        EXPECT_THROWS(InvalidArgument, form->setSubjectLine(accented + "\xC3\xA9"));
        // Long ASCII runs are counted in words of 8 bytes; a mix still counts characters.
        form->setSubjectLine(std::string(max - 1, 'x') + "\xC3\xA9");
        EXPECT_THROWS(InvalidArgument, form->setSubjectLine(std::string(max, 'x') + "\xC3\xA9"));
    });

    add("text that is not valid UTF-8 raises InvalidArgument", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        // Also past runs of ASCII longer than 8 bytes.
        for (const char *bad : {"\xFF", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "abc\x80",
                                "0123456789abcdef\xC3", "0123456789abcdef\xFFghijklmnop"})
            EXPECT_THROWS(InvalidArgument, form->setText(bad));
        form->setText("plain \xE2\x82\xAC \xF0\x9F\x98\x80");
        form->setText("0123456789abcdef \xE2\x82\xAC 0123456789abcdef");
    });

    add("a delivery form is invalid until sender and sent time are set, and says which", [](Fixture &f) {
        auto form = deliveryForm(*f.session);
        EXPECT_FALSE(form->isValid());
        EXPECT(invalidElements(*form) == std::set<std::string>{"sender", "sentTime"});
        EXPECT_EQ(form->getValidationMessages().size(), 2);

        auto &delivery = deliveryFormRecord(*form);
        EXPECT(delivery.getSenderMetadata().isRequired());
        EXPECT(delivery.getSentTimeMetadata().isRequired());
        EXPECT_FALSE(delivery.getReceivedTimeMetadata().isRequired());
        delivery.setSender(resource("a"));
        EXPECT_EQ(invalidElements(*form), std::set<std::string>{"sentTime"});
        delivery.setSentTime(at(10));
        EXPECT(form->isValid());
        EXPECT(form->getValidationMessages().empty());
    });

    add("a received time before the sent time makes the form invalid", [](Fixture &f) {
        auto form = deliveryForm(*f.session);
        auto &delivery = deliveryFormRecord(*form);
        delivery.setSender(resource("a"));
        delivery.setSentTime(at(10));
        delivery.setReceivedTime(at(9));
        EXPECT_EQ(invalidElements(*form), std::set<std::string>{"receivedTime"});
        delivery.setReceivedTime(at(10));
        EXPECT(form->isValid());
    });

    add("clearing a required element raises NoAccess", [](Fixture &f) {
        auto form = deliveryForm(*f.session);
        auto &delivery = deliveryFormRecord(*form);
        delivery.setSender(resource("a"));
        EXPECT_THROWS(NoAccess, delivery.clearSender());
        EXPECT_THROWS(NoAccess, delivery.clearSentTime());
        delivery.clearReceivedTime();
        delivery.clearRecipients();
        EXPECT_EQ(delivery.getSenderMetadata().getExistingIdValues(), std::vector<Id>{resource("a")});
    });

    add("the sending agent is read-only on an update form", [](Fixture &f) {
        auto id = f.importFrom(resource("a"), 1).front();
        VectorList<IdList> ids({id});
        auto form = f.session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
        auto &delivery = deliveryFormRecord(*form);
        EXPECT(delivery.getSendingAgentMetadata().isReadOnly());
        EXPECT_THROWS(NoAccess, delivery.setSendingAgent(resource("someone")));
        EXPECT_THROWS(NoAccess, delivery.clearSendingAgent());
        // On a create form it can be set.
        auto create = deliveryForm(*f.session);
        EXPECT_FALSE(deliveryFormRecord(*create).getSendingAgentMetadata().isReadOnly());
        deliveryFormRecord(*create).setSendingAgent(resource("someone"));
    });

    add("null Ids and Types raise NullArgument in setters", [](Fixture &f) {
        auto form = deliveryForm(*f.session);
        auto &delivery = deliveryFormRecord(*form);
        EXPECT_THROWS(NullArgument, delivery.setSender(Id()));
        EXPECT_THROWS(NullArgument, delivery.setSendingAgent(Id()));
        EXPECT_THROWS(NullArgument, delivery.setRecipients({resource("a"), Id()}));
        EXPECT_THROWS(NullArgument, form->setGenusType(Type()));
        EXPECT_THROWS(NullArgument, form->hasRecordType(Type()));
        EXPECT_THROWS(NullArgument, form->getMessageFormRecord(Type()));
        EXPECT_THROWS(NullArgument, form->setLocale(Type(), types::latinScript()));
    });

    add("more recipients than the Metadata's maximum number of elements raises InvalidArgument", [](Fixture &f) {
        auto form = deliveryForm(*f.session);
        auto &delivery = deliveryFormRecord(*form);
        const auto metadata = delivery.getRecipientsMetadata();
        EXPECT(metadata.isArray());
        const auto max = metadata.getMaximumElements();
        if (max == 0 || max > 10'000)
            return; // no limit to cross in a test
        std::vector<Id> recipients;
        for (std::uint64_t i = 0; i < max; ++i)
            recipients.push_back(resource("r" + std::to_string(i)));
        delivery.setRecipients(recipients);
        recipients.push_back(resource("one too many"));
        EXPECT_THROWS(InvalidArgument, delivery.setRecipients(recipients));
        EXPECT_EQ(delivery.getRecipientsMetadata().getExistingIdValues().size(), max);
    });

    add("hasSuppliedValue turns true once an element is set or cleared", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        EXPECT_FALSE(form->getTextMetadata().hasSuppliedValue());
        form->setText("x");
        EXPECT(form->getTextMetadata().hasSuppliedValue());
        auto other = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        other->clearDisplayName();
        EXPECT(other->getDisplayNameMetadata().hasSuppliedValue());
    });

    add("the object elements, journal comment and locale behave as their Metadata says", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto nameMax = form->getDisplayNameMetadata().getMaximumStringLength();
        EXPECT_THROWS(InvalidArgument, form->setDisplayName(std::string(nameMax + 1, 'n')));
        const auto descriptionMax = form->getDescriptionMetadata().getMaximumStringLength();
        EXPECT_THROWS(InvalidArgument, form->setDescription(std::string(descriptionMax + 1, 'd')));
        const auto commentMax = form->getJournalCommentMetadata().getMaximumStringLength();
        form->setJournalComment("imported");
        EXPECT_THROWS(InvalidArgument, form->setJournalComment(std::string(commentMax + 1, 'c')));
        EXPECT_EQ(form->getGenusTypeMetadata().getSyntax(), Syntax::TYPE);

        const Type genus("example.org", "genus", "report");
        form->setGenusType(genus);
        form->setDisplayName("Name");
        form->setDescription("Description");
        auto m = f.session->createMessage(*form);
        EXPECT_EQ(m->getGenusType(), genus);
        EXPECT(m->isOfGenusType(genus));
        EXPECT_EQ(m->getDisplayName().getText(), "Name");
        EXPECT_EQ(m->getDescription().getText(), "Description");

        auto localized = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto locale = localized->getDefaultLocale();
        EXPECT_EQ(localized->getLocales().size(), 1);
        localized->setLocale(locale.languageType, locale.scriptType);
        EXPECT_THROWS(Unsupported, localized->setLocale(Type("ISO", "639-2", "FRA"), locale.scriptType));
    });

    add("an update form requires the message's record types; a create form none", [](Fixture &f) {
        auto id = f.importFrom(resource("a"), 1).front();
        VectorList<IdList> ids({id});
        auto update = f.session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
        EXPECT_EQ(collect(update->getRequiredRecordTypes()), std::vector<Type>{deliveryRecordType()});
        EXPECT(collect(deliveryForm(*f.session)->getRequiredRecordTypes()).empty());
    });

    add("deliveryFormRecord of a form without the delivery record raises Unsupported", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        EXPECT_THROWS(Unsupported, deliveryFormRecord(*form));
        EXPECT_THROWS(Unsupported, form->getMessageFormRecord(Type("example.org", "records", "other")));
    });
}

} // namespace osid::conformance
