// MessageBatchForm: Metadata, setters, clearers and validation.

#include "support/provider_fixture.h"

using namespace osid;
using namespace osid::testing;

namespace {

std::shared_ptr<MessageBatchForm> deliveryForm(messaging::batch::MessageBatchAdminSession &s)
{
    return s.getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
}

std::set<std::string> invalidElements(const MessageBatchForm &form)
{
    std::set<std::string> names;
    for (const auto &m : form.getInvalidMetadata())
        names.insert(m.getElementId().getIdentifier());
    return names;
}

} // namespace

TEST_SUITE("MessageBatchForm")
{
    TEST_CASE_FIXTURE(ProviderFixture, "a subject longer than its Metadata allows raises InvalidArgument and keeps the old value")
    {
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto metadata = form->getSubjectLineMetadata();
        CHECK(metadata.getSyntax() == Syntax::STRING);
        const auto max = metadata.getMaximumStringLength();
        REQUIRE(max < 100'000);
        form->setSubjectLine("kept");
        CHECK_NOTHROW(form->setSubjectLine(std::string(max, 'x')));
        form->setSubjectLine("kept");
        CHECK_THROWS_AS(form->setSubjectLine(std::string(max + 1, 'x')), InvalidArgument);
        CHECK(form->getSubjectLineMetadata().getExistingStringValues() == std::vector<std::string>{"kept"});
    }

    TEST_CASE_FIXTURE(ProviderFixture, "string lengths count characters, not bytes")
    {
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto max = form->getSubjectLineMetadata().getMaximumStringLength();
        std::string accented;
        for (std::uint64_t i = 0; i < max; ++i)
            accented += "\xC3\xA9"; // é, two bytes each
        CHECK_NOTHROW(form->setSubjectLine(accented));
        CHECK_THROWS_AS(form->setSubjectLine(accented + "\xC3\xA9"), InvalidArgument);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "text that is not valid UTF-8 raises InvalidArgument")
    {
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        for (const char *bad : {"\xFF", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "abc\x80"})
            CHECK_THROWS_AS(form->setText(bad), InvalidArgument);
        CHECK_NOTHROW(form->setText("plain \xE2\x82\xAC \xF0\x9F\x98\x80"));
    }

    TEST_CASE("a subject outside the provider's pattern raises InvalidArgument, and the Metadata states the pattern")
    {
        impl::memory::MemoryProviderOptions options;
        options.formRules.subjectPattern = "[A-Z][a-z ]*";
        auto manager = impl::memory::makeMemoryMessagingManager(options);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto metadata = form->getSubjectLineMetadata();
        REQUIRE(metadata.supportsStringMatchType(types::regexStringMatch()));
        CHECK(metadata.getStringExpression(types::regexStringMatch()) == "[A-Z][a-z ]*");
        CHECK_NOTHROW(form->setSubjectLine("Hello there"));
        CHECK_THROWS_AS(form->setSubjectLine("hello"), InvalidArgument);
        CHECK_THROWS_AS(form->setSubjectLine("Hello!"), InvalidArgument);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a delivery form is invalid until sender and sent time are set, and says which")
    {
        auto form = deliveryForm(*session);
        CHECK_FALSE(form->isValid());
        CHECK(invalidElements(*form) == std::set<std::string>{"sender", "sentTime"});
        CHECK(form->getValidationMessages().size() == 2);

        auto &delivery = deliveryFormRecord(*form);
        CHECK(delivery.getSenderMetadata().isRequired());
        CHECK(delivery.getSentTimeMetadata().isRequired());
        CHECK_FALSE(delivery.getReceivedTimeMetadata().isRequired());
        delivery.setSender(resource("a"));
        CHECK(invalidElements(*form) == std::set<std::string>{"sentTime"});
        delivery.setSentTime(at(10));
        CHECK(form->isValid());
        CHECK(form->getValidationMessages().empty());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a received time before the sent time makes the form invalid")
    {
        auto form = deliveryForm(*session);
        auto &delivery = deliveryFormRecord(*form);
        delivery.setSender(resource("a"));
        delivery.setSentTime(at(10));
        delivery.setReceivedTime(at(9));
        CHECK(invalidElements(*form) == std::set<std::string>{"receivedTime"});
        delivery.setReceivedTime(at(10));
        CHECK(form->isValid());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "clearing a required element raises NoAccess")
    {
        auto form = deliveryForm(*session);
        auto &delivery = deliveryFormRecord(*form);
        delivery.setSender(resource("a"));
        CHECK_THROWS_AS(delivery.clearSender(), NoAccess);
        CHECK_THROWS_AS(delivery.clearSentTime(), NoAccess);
        CHECK_NOTHROW(delivery.clearReceivedTime());
        CHECK_NOTHROW(delivery.clearRecipients());
        CHECK(delivery.getSenderMetadata().getExistingIdValues() == std::vector<Id>{resource("a")});
    }

    TEST_CASE_FIXTURE(ProviderFixture, "the sending agent is read-only on an update form")
    {
        auto id = importFrom(resource("a"), 1).front();
        VectorList<IdList> ids({id});
        auto form = session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
        auto &delivery = deliveryFormRecord(*form);
        CHECK(delivery.getSendingAgentMetadata().isReadOnly());
        CHECK_THROWS_AS(delivery.setSendingAgent(resource("someone")), NoAccess);
        CHECK_THROWS_AS(delivery.clearSendingAgent(), NoAccess);
        // On a create form it can be set.
        auto create = deliveryForm(*session);
        CHECK_FALSE(deliveryFormRecord(*create).getSendingAgentMetadata().isReadOnly());
        CHECK_NOTHROW(deliveryFormRecord(*create).setSendingAgent(resource("someone")));
    }

    TEST_CASE_FIXTURE(ProviderFixture, "null Ids and Types raise NullArgument in setters")
    {
        auto form = deliveryForm(*session);
        auto &delivery = deliveryFormRecord(*form);
        CHECK_THROWS_AS(delivery.setSender(Id()), NullArgument);
        CHECK_THROWS_AS(delivery.setSendingAgent(Id()), NullArgument);
        CHECK_THROWS_AS(delivery.setRecipients({resource("a"), Id()}), NullArgument);
        CHECK_THROWS_AS(form->setGenusType(Type()), NullArgument);
        CHECK_THROWS_AS(form->hasRecordType(Type()), NullArgument);
        CHECK_THROWS_AS(form->getMessageFormRecord(Type()), NullArgument);
        CHECK_THROWS_AS(form->setLocale(Type(), types::latinScript()), NullArgument);
    }

    TEST_CASE("more recipients than the Metadata allows raises InvalidArgument")
    {
        impl::memory::MemoryProviderOptions options;
        options.formRules.maximumRecipients = 2;
        auto manager = impl::memory::makeMemoryMessagingManager(options);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto form = deliveryForm(*session);
        auto &delivery = deliveryFormRecord(*form);
        CHECK(delivery.getRecipientsMetadata().isArray());
        CHECK(delivery.getRecipientsMetadata().getMaximumElements() == 2);
        CHECK_NOTHROW(delivery.setRecipients({resource("a"), resource("b")}));
        CHECK_THROWS_AS(delivery.setRecipients({resource("a"), resource("b"), resource("c")}), InvalidArgument);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "hasSuppliedValue turns true once an element is set or cleared")
    {
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        CHECK_FALSE(form->getTextMetadata().hasSuppliedValue());
        form->setText("x");
        CHECK(form->getTextMetadata().hasSuppliedValue());
        auto other = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        other->clearDisplayName();
        CHECK(other->getDisplayNameMetadata().hasSuppliedValue());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "the object elements, journal comment and locale behave as their Metadata says")
    {
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto nameMax = form->getDisplayNameMetadata().getMaximumStringLength();
        CHECK_THROWS_AS(form->setDisplayName(std::string(nameMax + 1, 'n')), InvalidArgument);
        const auto descriptionMax = form->getDescriptionMetadata().getMaximumStringLength();
        CHECK_THROWS_AS(form->setDescription(std::string(descriptionMax + 1, 'd')), InvalidArgument);
        const auto commentMax = form->getJournalCommentMetadata().getMaximumStringLength();
        CHECK_NOTHROW(form->setJournalComment("imported"));
        CHECK_THROWS_AS(form->setJournalComment(std::string(commentMax + 1, 'c')), InvalidArgument);
        CHECK(form->getGenusTypeMetadata().getSyntax() == Syntax::TYPE);

        const Type genus("example.org", "genus", "report");
        form->setGenusType(genus);
        form->setDisplayName("Name");
        form->setDescription("Description");
        auto m = session->createMessage(*form);
        CHECK(m->getGenusType() == genus);
        CHECK(m->isOfGenusType(genus));
        CHECK(m->getDisplayName().getText() == "Name");
        CHECK(m->getDescription().getText() == "Description");

        auto localized = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto locale = localized->getDefaultLocale();
        CHECK(localized->getLocales().size() == 1);
        CHECK_NOTHROW(localized->setLocale(locale.languageType, locale.scriptType));
        CHECK_THROWS_AS(localized->setLocale(Type("ISO", "639-2", "FRA"), locale.scriptType), Unsupported);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an update form requires the message's record types; a create form none")
    {
        auto id = importFrom(resource("a"), 1).front();
        VectorList<IdList> ids({id});
        auto update = session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
        CHECK(collect(update->getRequiredRecordTypes()) == std::vector<Type>{deliveryRecordType()});
        CHECK(collect(deliveryForm(*session)->getRequiredRecordTypes()).empty());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "deliveryFormRecord of a form without the delivery record raises Unsupported")
    {
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        CHECK_THROWS_AS(deliveryFormRecord(*form), Unsupported);
        CHECK_THROWS_AS(form->getMessageFormRecord(Type("example.org", "records", "other")), Unsupported);
    }
}
