using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class PrivacyTests(ProfileService service)
{
    [Fact]
    public async Task Phones_emails_and_identity_numbers_are_nowhere_in_plaintext_in_the_database_or_the_logs_and_masked_without_the_role()
    {
        var email = $"private.{Guid.NewGuid():N}@example.com";
        var phone = "+86139" + RandomNumberGenerator.GetInt32(10_000_000, 99_999_999);
        var identity = "11010519491231002X";
        var contactEmail = $"payer.{Guid.NewGuid():N}@example.com";
        var contactPhone = "+86158" + RandomNumberGenerator.GetInt32(10_000_000, 99_999_999);
        var registered = await service.Customers.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Individual, DisplayName = "Private Person", Email = email, Phone = phone,
        }, Tokens.As(Roles.SalesRep));
        var read = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = registered.CustomerId }, Tokens.As(Roles.SalesRep));
        var masked = await service.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Customer = new Contracts.Customer.V1.Customer { CustomerId = read.CustomerId, Etag = read.Etag, IdentityNumber = identity },
            UpdateMask = new FieldMask { Paths = { "identity_number" } },
        }, Tokens.As(Roles.SalesRep));
        var contact = await service.Contacts.AddContactAsync(new AddContactRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = read.CustomerId, Role = ContactRole.PaymentOwner, Name = "Payer", Email = contactEmail, Phone = contactPhone,
        }, Tokens.As(Roles.SalesRep));
        await Refused(Grpc.Core.StatusCode.AlreadyExists, async () => await service.Customers.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Individual, DisplayName = "Twin", Email = email,
        }, Tokens.As(Roles.SalesRep)));
        var revealed = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = read.CustomerId }, Tokens.As(Roles.SalesRep, Roles.PiiReader));

        Assert.Equal("**************002X", masked.IdentityNumber);
        Assert.Equal(identity, revealed.IdentityNumber);
        Assert.Equal(email, revealed.Email);
        Assert.DoesNotContain(contactEmail, contact.Email, StringComparison.Ordinal);
        Assert.DoesNotContain(contactPhone, contact.Phone, StringComparison.Ordinal);
        foreach (var secret in new[] { email, phone[3..], identity, contactEmail, contactPhone[3..] })
        {
            Assert.Equal(0, await RowsContainingAsync(secret));
            Assert.DoesNotContain(service.Logs.Lines, l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }

        Assert.True(await RowsContainingAsync(read.CustomerId) > 0); // the probe finds what is there
    }

    [Fact]
    public async Task Consent_is_kept_per_purpose_with_its_history()
    {
        var customer = await service.RegisterAsync("Consenting");
        async Task Set(ConsentPurpose purpose, bool granted) => await service.Consents.SetConsentAsync(new SetConsentRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Purpose = purpose, Granted = granted, Source = "web form",
        }, Tokens.As(Roles.SupportAgent));

        await Set(ConsentPurpose.Marketing, true);
        await Set(ConsentPurpose.Transactional, true);
        await Set(ConsentPurpose.Marketing, false);
        var consents = await service.Consents.GetConsentsAsync(new GetConsentsRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep));

        Assert.Equal([(ConsentPurpose.Marketing, false), (ConsentPurpose.Transactional, true)], consents.Current.Select(c => (c.Purpose, c.Granted)));
        Assert.Equal([true, true, false], consents.History.Select(c => c.Granted));
        Assert.All(consents.History, c => Assert.Equal("test-user", c.RecordedBy));
    }

    [Fact]
    public async Task Invalid_consent_names_the_fields_and_stores_nothing()
    {
        var customer = await service.RegisterAsync("No Consent");

        var fields = await InvalidFields(async () => await service.Consents.SetConsentAsync(new SetConsentRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Purpose = ConsentPurpose.Unspecified, Source = "",
        }, Tokens.As(Roles.SupportAgent)));

        Assert.Equal(["purpose", "source"], fields);
        Assert.Equal(0, await service.QueryAsync(db => db.Consents.CountAsync(c => c.CustomerId == Guid.Parse(customer.CustomerId))));
    }

    [Fact]
    public async Task Rotating_the_key_re_encrypts_every_row_once_across_replicas_and_values_still_read_the_same()
    {
        var infra = await Infrastructure.SharedAsync();
        var database = await infra.NewDatabaseAsync("rekey");
        var bus = await infra.NewVirtualHostAsync("rekey");
        var k1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var k2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var index = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var before = ProfileService.Start(database, infra.Redis, bus, extra: Keys(("k1", k1)));
        var email = $"rotate.{Guid.NewGuid():N}@example.com";
        var customer = await new Customers.CustomersClient(before.Channel).RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Individual, DisplayName = "Rotated", Email = email, Phone = "+8613011112222",
        }, Tokens.As(Roles.SalesRep));
        await new CustomerContacts.CustomerContactsClient(before.Channel).AddContactAsync(new AddContactRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Role = ContactRole.DecisionMaker, Name = "Boss", Phone = "+8613033334444",
        }, Tokens.As(Roles.SalesRep));

        await using var after = ProfileService.Start(database, infra.Redis, bus, extra: Keys(("k1", k1), ("k2", k2)));
        int? whileLocked;
        await using (var other = new NpgsqlConnection(database))
        {
            await other.OpenAsync();
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({PiiRekeying.LockKey})", other))
            {
                await take.ExecuteScalarAsync();
            }

            whileLocked = await RekeyAsync(after);
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({PiiRekeying.LockKey})", other);
            await release.ExecuteScalarAsync();
        }

        var rekeyed = await RekeyAsync(after);
        var again = await RekeyAsync(after);
        var ciphers = await after.QueryAsync<CustomerDb, List<string?>>(async db =>
            (await db.Customers.Select(c => new[] { c.EmailCipher, c.PhoneCipher }).ToListAsync())
                .SelectMany(x => x)
                .Concat(await db.Contacts.Select(c => c.PhoneCipher).ToListAsync()).ToList());
        var read = await new Customers.CustomersClient(after.Channel).GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId },
            Tokens.As(Roles.SalesRep, Roles.PiiReader));

        Assert.Null(whileLocked);
        Assert.Equal(2, rekeyed);
        Assert.Equal(0, again);
        Assert.All(ciphers, c => Assert.StartsWith("k2:", c, StringComparison.Ordinal));
        Assert.Equal(email, read.Email);
        Assert.Equal("+8613011112222", read.Phone);

        Dictionary<string, string?> Keys(params (string Id, string Key)[] keys)
        {
            var settings = keys.ToDictionary(k => $"Pii:Keys:{k.Id}", k => (string?)k.Key);
            settings["Pii:ActiveKeyId"] = keys[^1].Id;
            settings["Pii:IndexKey"] = index;
            return settings;
        }
    }

    [Fact]
    public async Task A_value_that_cannot_be_re_encrypted_is_logged_and_left_and_every_other_row_is_re_encrypted()
    {
        var infra = await Infrastructure.SharedAsync();
        var database = await infra.NewDatabaseAsync("rekeybad");
        var bus = await infra.NewVirtualHostAsync("rekeybad");
        var index = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var (k1, k2) = (Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var ids = new List<Guid>();
        await using (var before = ProfileService.Start(database, infra.Redis, bus, extra: new Dictionary<string, string?>
        {
            ["Pii:Keys:k1"] = k1, ["Pii:ActiveKeyId"] = "k1", ["Pii:IndexKey"] = index,
        }))
        {
            for (var i = 0; i < 5; i++)
            {
                ids.Add(Guid.Parse((await new Customers.CustomersClient(before.Channel).RegisterCustomerAsync(new RegisterCustomerRequest
                {
                    RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Individual, DisplayName = $"Rotated {i}", Email = $"bad.rotate.{i}.{Guid.NewGuid():N}@example.com",
                }, Tokens.As(Roles.SalesRep))).CustomerId));
            }
        }

        // Written under a key no longer configured (a rotation that dropped a key too early), in the middle of the rows.
        var broken = ids.Order().ElementAt(2);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var write = new NpgsqlCommand("UPDATE customers SET email_cipher = 'k0:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE id = @id", connection);
            write.Parameters.AddWithValue("id", broken);
            await write.ExecuteNonQueryAsync();
        }

        var logs = new LogCapture();
        await using var after = ProfileService.Start(database, infra.Redis, bus, logs, extra: new Dictionary<string, string?>
        {
            ["Pii:Keys:k1"] = k1, ["Pii:Keys:k2"] = k2, ["Pii:ActiveKeyId"] = "k2", ["Pii:IndexKey"] = index,
        });
        await using (var scope = after.Services.CreateAsyncScope())
        {
            // Pages of two: the broken row does not stop the pages after it.
            Assert.Equal(4, await scope.ServiceProvider.GetRequiredService<PiiRekeying>().RunAsync(2, CancellationToken.None));
        }

        var ciphers = await after.QueryAsync<CustomerDb, Dictionary<Guid, string?>>(db => db.Customers.ToDictionaryAsync(c => c.Id, c => c.EmailCipher));
        Assert.StartsWith("k0:", ciphers[broken], StringComparison.Ordinal);
        Assert.All(ids.Where(id => id != broken), id => Assert.StartsWith("k2:", ciphers[id], StringComparison.Ordinal));
        var error = Assert.Single(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("cannot be re-encrypted", StringComparison.Ordinal));
        Assert.Contains(broken.ToString(), error, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAAAAAA", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_re_encryption_job_runs_on_its_own_when_enabled()
    {
        var infra = await Infrastructure.SharedAsync();
        var database = await infra.NewDatabaseAsync("rekeyjob");
        var bus = await infra.NewVirtualHostAsync("rekeyjob");
        var index = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var old = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using (var before = ProfileService.Start(database, infra.Redis, bus, extra: new Dictionary<string, string?>
        {
            ["Pii:Keys:old"] = old, ["Pii:ActiveKeyId"] = "old", ["Pii:IndexKey"] = index,
        }))
        {
            await new Customers.CustomersClient(before.Channel).RegisterCustomerAsync(new RegisterCustomerRequest
            {
                RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Organization, DisplayName = "Job", Email = "job@example.com",
            }, Tokens.As(Roles.SalesRep));
        }

        await using var after = ProfileService.Start(database, infra.Redis, bus, extra: new Dictionary<string, string?>
        {
            ["Pii:Keys:old"] = old, ["Pii:Keys:new"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ["Pii:ActiveKeyId"] = "new",
            ["Pii:IndexKey"] = index, ["PiiRekeying:Enabled"] = "true", ["PiiRekeying:Interval"] = "00:00:01", ["PiiRekeying:BatchSize"] = "10",
        });
        await after.StartedAsync();

        await Eventually.Until(() => after.QueryAsync<CustomerDb, string>(db => db.Customers.Select(c => c.EmailCipher!).SingleAsync()),
            c => c.StartsWith("new:", StringComparison.Ordinal), what: "the job to re-encrypt the e-mail");
    }

    private static async Task<int?> RekeyAsync(ServiceHost<Platform.Customer.Program> host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PiiRekeying>().RunAsync(10, CancellationToken.None);
    }

    /// <summary>Rows of the profile tables, the idempotency store and the outbox whose text contains the value.</summary>
    private Task<int> RowsContainingAsync(string value)
    {
        var pattern = "%" + value + "%";
        return service.QueryAsync(db => db.Database.SqlQuery<int>($"""
            SELECT ((SELECT count(*) FROM customers c WHERE lower(c::text) LIKE lower({pattern}))
                  + (SELECT count(*) FROM customer_contacts k WHERE lower(k::text) LIKE lower({pattern}))
                  + (SELECT count(*) FROM customer_consents k WHERE lower(k::text) LIKE lower({pattern}))
                  + (SELECT count(*) FROM idempotent_requests r WHERE r::text LIKE {pattern} OR encode(r.response, 'escape') LIKE {pattern})
                  + (SELECT count(*) FROM outbox_messages o WHERE o.payload::text LIKE {pattern}))::int AS "Value"
            """).SingleAsync());
    }
}
