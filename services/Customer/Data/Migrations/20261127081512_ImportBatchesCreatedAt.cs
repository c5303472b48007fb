using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Customer.Data.Migrations
{
    /// <inheritdoc />
    public partial class ImportBatchesCreatedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_import_batches_created_at",
                table: "import_batches",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_import_batches_created_at",
                table: "import_batches");
        }
    }
}
