-- AlterTable
ALTER TABLE "Job" ADD COLUMN "mediaClaimedAt" DATETIME;
