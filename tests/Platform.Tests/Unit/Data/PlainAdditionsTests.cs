using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Data;

namespace Platform.Tests.Unit.Data;

/// <summary>Which units of work the staged commits may move to a writer's context (the model only; no database is opened).</summary>
public sealed class PlainAdditionsTests
{
    [Fact]
    public void Plain_added_entities_move_and_anything_else_keeps_its_own_save()
    {
        using var db = new ShapesDb();
        var first = new Plain { Id = Guid.NewGuid() };
        var second = new Plain { Id = Guid.NewGuid() };
        db.AddRange(first, second);
        Assert.Equal([first, second], db.ChangeTracker.PlainAdditions()!);

        db.Entry(first).State = EntityState.Modified;
        Assert.Null(db.ChangeTracker.PlainAdditions());
        db.Entry(first).State = EntityState.Unchanged; // read, not changed: nothing to save, and no reason to keep it apart
        Assert.Equal([second], db.ChangeTracker.PlainAdditions()!);
        db.Entry(first).State = EntityState.Deleted;
        Assert.Null(db.ChangeTracker.PlainAdditions());
    }

    [Theory]
    [InlineData("shadow property")]
    [InlineData("navigation")]
    [InlineData("owned type")]
    public void An_added_entity_with_state_outside_its_object_keeps_its_own_save(string shape)
    {
        using var db = new ShapesDb();
        db.Add(new Plain { Id = Guid.NewGuid() });
        switch (shape)
        {
            case "shadow property":
                db.Add(new WithShadow { Id = Guid.NewGuid() });
                break;
            case "navigation":
                db.Add(new Parent { Id = Guid.NewGuid() });
                break;
            default:
                db.Add(new WithOwned { Id = Guid.NewGuid(), Address = new Address { City = "Hangzhou" } });
                break;
        }

        Assert.Null(db.ChangeTracker.PlainAdditions());
    }

    private sealed class Plain
    {
        public Guid Id { get; set; }
    }

    private sealed class WithShadow
    {
        public Guid Id { get; set; }
    }

    private sealed class Parent
    {
        public Guid Id { get; set; }

        public List<Child> Children { get; set; } = [];
    }

    private sealed class Child
    {
        public Guid Id { get; set; }

        public Guid ParentId { get; set; }
    }

    private sealed class WithOwned
    {
        public Guid Id { get; set; }

        public required Address Address { get; set; }
    }

    private sealed class Address
    {
        public required string City { get; set; }
    }

    private sealed class ShapesDb : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseNpgsql("Host=unused");

        protected override void OnModelCreating(ModelBuilder model)
        {
            model.Entity<Plain>();
            model.Entity<WithShadow>().Property<DateTimeOffset>("RecordedAt");
            model.Entity<Parent>().HasMany(p => p.Children).WithOne().HasForeignKey(c => c.ParentId);
            model.Entity<WithOwned>().OwnsOne(o => o.Address);
        }
    }
}
