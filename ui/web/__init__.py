"""The Gradio web app in small pieces: applicant chat, helpdesk console, staff auth, result card, API, styling."""
