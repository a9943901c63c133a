-- AlterTable
ALTER TABLE "Artifact" ADD COLUMN "previewKey" TEXT;
