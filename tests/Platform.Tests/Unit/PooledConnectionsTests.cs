using Npgsql;
using Platform.BuildingBlocks.Data;

namespace Platform.Tests.Unit;

public sealed class PooledConnectionsTests
{
    [Fact]
    public void A_plain_connection_string_gets_prepared_statements_and_no_reset_on_close()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PooledConnections.Tune("Host=db;Port=5432;Username=billing;Database=billingdb"));

        Assert.Equal(PooledConnections.PreparedPerConnection, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("db", tuned.Host);
        Assert.Equal("billingdb", tuned.Database);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;MaxAutoPrepare=0;NoResetOnClose=false")]
    public void Settings_the_deployment_chose_are_kept(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PooledConnections.Tune(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
    }
}
