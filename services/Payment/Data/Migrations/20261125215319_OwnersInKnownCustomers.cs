using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Payment.Data.Migrations
{
    /// <inheritdoc />
    public partial class OwnersInKnownCustomers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Collections now takes a customer's owner from known_customers: carry over the owners only it knew.
            migrationBuilder.Sql("""
                INSERT INTO known_customers (customer_id, standing, owner_id, updated_at)
                SELECT customer_id, 'Active', owner_id, now() FROM collection_customer_owners
                ON CONFLICT (customer_id) DO UPDATE SET owner_id = excluded.owner_id
                WHERE known_customers.owner_id IS NULL AND known_customers.owner_changed_at IS NULL
                """);
            migrationBuilder.DropTable(
                name: "collection_customer_owners");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "collection_customer_owners",
                columns: table => new
                {
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_collection_customer_owners", x => x.customer_id);
                });
            migrationBuilder.Sql("INSERT INTO collection_customer_owners (customer_id, owner_id) SELECT customer_id, owner_id FROM known_customers");
        }
    }
}
