using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Customer.Data.Migrations
{
    /// <inheritdoc />
    public partial class RetentionIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_sent",
                table: "outbox_messages",
                column: "sent_at",
                filter: "sent_at IS NOT NULL")
                .Annotation("Npgsql:CreatedConcurrently", true);

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_processed_at",
                table: "inbox_messages",
                column: "processed_at")
                .Annotation("Npgsql:CreatedConcurrently", true);

            migrationBuilder.CreateIndex(
                name: "ix_idempotent_requests_created_at",
                table: "idempotent_requests",
                column: "created_at")
                .Annotation("Npgsql:CreatedConcurrently", true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_sent",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "ix_inbox_messages_processed_at",
                table: "inbox_messages");

            migrationBuilder.DropIndex(
                name: "ix_idempotent_requests_created_at",
                table: "idempotent_requests");
        }
    }
}
